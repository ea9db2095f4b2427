package web

// Month close and reopen in the browser (the finance bureau's; everyone
// else reads):
//
//	GET  /periods          the months, city-wide and per district, and every
//	                       close and reopen with the chain head it recorded
//	POST /periods/close    close a month, city-wide or for one district
//	POST /periods/reopen   reopen it, with a reason
//
// The forms call the same ledger functions as POST /api/periods/… and the
// CLI; the ledger and the database refuse what is not allowed (a month
// already closed, a district month under a city-wide close).

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
)

// bureauMessages are the words of the finance bureau's and the auditor's
// pages (merged into messages).
var bureauMessages = map[string][2]string{
	"nav.periods":         {"结账", "Month close"},
	"nav.ledger":          {"试算平衡表", "Trial balance"},
	"per.title":           {"月末结账", "Month close"},
	"per.months":          {"各月状态", "Months"},
	"per.month":           {"月份（年-月）", "Month (YYYY-MM)"},
	"per.scope":           {"范围", "Scope"},
	"per.city":            {"全市", "City-wide"},
	"per.closed":          {"已结账", "closed"},
	"per.open":            {"未结账", "open"},
	"per.history":         {"结账与重新开账记录", "Closes and reopens"},
	"per.close":           {"结账", "Close the month"},
	"per.reopen":          {"重新开账", "Reopen the month"},
	"per.reason":          {"理由", "Reason"},
	"per.reason.opt":      {"说明（可不填）", "Note (optional)"},
	"per.head":            {"链头哈希（审计记录）", "Chain head hash (for the auditor)"},
	"per.block":           {"区块", "Block"},
	"per.entry":           {"至分录", "Up to entry"},
	"per.action":          {"操作", "Action"},
	"per.action.close":    {"结账", "close"},
	"per.action.reopen":   {"重新开账", "reopen"},
	"per.done.close":      {"已结账：", "Closed: "},
	"per.done.reopen":     {"已重新开账：", "Reopened: "},
	"per.none":            {"尚无记录。", "Nothing yet."},
	"per.at":              {"时间", "At"},
	"per.actor":           {"操作人", "By"},
	"per.district_closed": {"该区已结账（全市未结）", "closed by the district"},
	"per.city_closed":     {"该月已全市结账；全市重新开账后，区才能结账或重新开账。", "The month is closed city-wide; a district can close or reopen it only after the city reopens it."},
	"per.no_accounts":     {"该区还没有任何账户，无需结账。", "The district has no accounts yet; there is nothing to close."},
	"v.scope":             {"请选择全市或一个区。", "Choose city-wide or a district."},
}

type periodRow struct {
	Month     string
	City      bool
	Districts []bool // in the order of periodsData.Districts
}

type periodsData struct {
	Districts []funding.District
	Months    []periodRow
	History   []ledger.PeriodEvent
	CanWrite  bool
	Done      string // "close" or "reopen" after a redirect
	DoneMonth string
	DoneScope string
	Form      string // which form the error belongs to
	Field     string // the field the error is about
	Error     string
	Month     string
	Scope     string
	Reason    string
}

func (d periodsData) DistrictLabel(lang, code string) string {
	if code == "" {
		return msg(lang, "per.city")
	}
	for _, x := range d.Districts {
		if x.Code == code {
			return districtName(lang, x)
		}
	}
	return code
}

func (s *Server) periodsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := periodsData{Done: q.Get("done"), DoneMonth: q.Get("month"), DoneScope: q.Get("scope")}
	if d.Done != "close" && d.Done != "reopen" {
		d.Done = ""
	}
	s.showPeriods(w, r, http.StatusOK, d)
}

func (s *Server) showPeriods(w http.ResponseWriter, r *http.Request, status int, d periodsData) {
	ds, err := s.readableDistricts(r)
	if err != nil {
		s.page500(w, r, err)
		return
	}
	d.Districts = ds
	l := s.prog.Ledger()
	city, err := l.Periods(r.Context())
	if err != nil {
		s.page500(w, r, err)
		return
	}
	dps, err := l.DistrictPeriods(r.Context())
	if err != nil {
		s.page500(w, r, err)
		return
	}
	hist, err := l.PeriodHistory(r.Context())
	if err != nil {
		s.page500(w, r, err)
		return
	}
	p := principal(r)
	idx := map[string]int{}
	for i, x := range ds {
		idx[x.Code] = i
	}
	rows := map[string]*periodRow{}
	row := func(m string) *periodRow {
		if rows[m] == nil {
			rows[m] = &periodRow{Month: m, Districts: make([]bool, len(ds))}
		}
		return rows[m]
	}
	for _, c := range city {
		row(c.String()).City = c.Closed
	}
	for _, x := range dps {
		if i, ok := idx[x.District]; ok {
			row(x.Start.Format("2006-01")).Districts[i] = x.Closed
		}
	}
	for _, r := range rows {
		d.Months = append(d.Months, *r)
	}
	// Newest month first: the one being closed is at the top.
	slices.SortFunc(d.Months, func(a, b periodRow) int { return strings.Compare(b.Month, a.Month) })
	for i := len(hist) - 1; i >= 0; i-- { // newest first
		if h := hist[i]; h.District == "" || p.CanRead(h.District) {
			d.History = append(d.History, h)
		}
	}
	d.CanWrite = p.Role == access.FinanceBureau
	s.render(w, r, status, "periods.html", pageData{Title: "per.title", Data: d})
}

func (s *Server) closePeriodForm(w http.ResponseWriter, r *http.Request) { s.periodForm(w, r, "close") }
func (s *Server) reopenPeriodForm(w http.ResponseWriter, r *http.Request) {
	s.periodForm(w, r, "reopen")
}

// periodForm closes or reopens a month (CSRF and Origin checked by
// browser()); only the finance bureau may.
func (s *Server) periodForm(w http.ResponseWriter, r *http.Request, action string) {
	p := principal(r) // the finance bureau (bureauOnly)
	lang := langOf(r)
	d := periodsData{Form: action, Month: strings.TrimSpace(r.PostFormValue("month")),
		Scope: strings.TrimSpace(r.PostFormValue("scope")), Reason: strings.TrimSpace(r.PostFormValue("reason"))}
	refuse := func(field, message string) {
		d.Field, d.Error = field, message
		s.log.Info("period form refused", "user", p.User, "action", action, "month", d.Month, "scope", d.Scope, "field", field)
		s.showPeriods(w, r, http.StatusUnprocessableEntity, d)
	}
	month, err := ledger.ParsePeriod(d.Month)
	if err != nil {
		refuse("month", msg(lang, "v.month"))
		return
	}
	if d.Scope != "" {
		if _, err := funding.LookupDistrict(r.Context(), s.db, d.Scope); err != nil {
			refuse("scope", msg(lang, "v.scope"))
			return
		}
	}
	if action == "reopen" && d.Reason == "" {
		refuse("reason", msg(lang, "v.reason_required"))
		return
	}
	l := s.prog.Ledger()
	switch {
	case action == "close" && d.Scope == "":
		err = l.ClosePeriod(r.Context(), month, p.User, d.Reason)
	case action == "close":
		err = l.CloseDistrictPeriod(r.Context(), month, d.Scope, p.User, d.Reason)
	case d.Scope == "":
		err = l.ReopenPeriod(r.Context(), month, p.User, d.Reason)
	default:
		err = l.ReopenDistrictPeriod(r.Context(), month, d.Scope, p.User, d.Reason)
	}
	if err != nil {
		switch {
		case strings.Contains(err.Error(), "closed city-wide"):
			refuse("scope", msg(lang, "per.city_closed"))
		case strings.Contains(err.Error(), "no account belongs to district"):
			refuse("scope", msg(lang, "per.no_accounts"))
		case strings.Contains(err.Error(), "already closed"):
			refuse("month", msg(lang, "v.already_closed"))
		case strings.Contains(err.Error(), "not closed"):
			refuse("month", msg(lang, "v.not_closed"))
		default:
			status, m := userMessage(lang, err)
			if status >= 500 {
				s.page500(w, r, err)
				return
			}
			refuse("month", m)
		}
		return
	}
	s.log.Info("period "+action, "user", p.User, "month", d.Month, "district", d.Scope)
	q := url.Values{"done": {action}, "month": {d.Month}, "scope": {d.Scope}}
	http.Redirect(w, r, "/periods?"+q.Encode(), http.StatusSeeOther)
}
