package web

// District evaluations and the allocation of the incentive pool, the
// finance bureau's:
//
//	GET  /evaluations?year=2021   the scores in force for a year
//	POST /evaluations/score       record a district's score (funding.RecordEvaluation)
//	POST /evaluations/pool        allocate a year's pool: a dry run first shows
//	                              each district's share and the steps; the
//	                              confirm button (shown with it) posts it
//	                              (funding.AllocatePool)

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/amount"
	"fundledger/funding"
	"fundledger/ledger"
)

func init() {
	mergeMessages(evaluationMessages)
}

var evaluationMessages = map[string][2]string{
	"nav.evaluations":   {"考核与奖补", "Evaluations"},
	"ev.title":          {"区市考核与奖补资金分配", "District evaluations and the incentive pool"},
	"ev.year":           {"年度", "Year"},
	"ev.scores":         {"考核得分", "Scores"},
	"ev.score":          {"得分（0–100）", "Score (0–100)"},
	"ev.district":       {"区市", "District"},
	"ev.evaluator":      {"考核单位", "Evaluator"},
	"ev.scored_on":      {"考核日期", "Scored on"},
	"ev.note":           {"说明", "Note"},
	"ev.record":         {"记录考核得分", "Record a score"},
	"ev.recorded":       {"已记录得分", "Score recorded"},
	"ev.pool":           {"分配奖补资金池", "Allocate the incentive pool"},
	"ev.pool.amount":    {"资金池金额（元）", "Pool (yuan)"},
	"ev.pool.on":        {"分配日期（可不填：当年1月1日）", "Date (blank: 1 January of the year)"},
	"ev.dryrun":         {"试算（不记账）", "Dry run (nothing posted)"},
	"ev.confirm":        {"确认分配并记账", "Confirm and post"},
	"ev.dryresult":      {"试算结果，尚未记账。核对后点击“确认分配并记账”。", "A dry run: nothing is posted yet. Check it, then confirm."},
	"ev.posted":         {"已分配并记账，版本", "Allocated and posted, version"},
	"ev.unchanged":      {"与已记账的分配相同，未作改变。", "The same as the allocation already posted; nothing changed."},
	"ev.coefficient":    {"系数", "Coefficient"},
	"ev.share":          {"份额", "Share"},
	"ev.amount":         {"分配金额", "Amount"},
	"ev.previous":       {"上一版本", "Previous version"},
	"ev.area":           {"改造面积（㎡）", "Area (m²)"},
	"ev.households":     {"户数", "Households"},
	"ev.steps":          {"计算步骤", "Steps"},
	"ev.none":           {"该年度尚无考核得分。", "No scores for that year."},
	"v.ev.score":        {"得分应为 0 到 100，最多两位小数。", "A score is 0 to 100 with at most two decimals."},
	"v.ev.year":         {"请填写年度，如 2021。", "Want a year, e.g. 2021."},
	"v.ev.district":     {"请选择区市。", "Choose a district."},
	"v.ev.pool":         {"请填写大于零的金额，最多两位小数。", "Want an amount above zero, at most two decimals."},
	"v.ev.date":         {"请填写日期（年-月-日）。", "Want a date (YYYY-MM-DD)."},
	"ev.evaluationyear": {"考核年度", "Evaluation year"},
}

type evaluationsData struct {
	CanWrite     bool
	Year         int
	Scores       []funding.EvaluationScore
	Form         string
	Field, Error string
	Done         string
	Values       url.Values
	Pool         *funding.PoolResult
}

func (d evaluationsData) V(k string) string { return d.Values.Get(k) }

func (s *Server) evaluationsPage(w http.ResponseWriter, r *http.Request) {
	s.showEvaluations(w, r, http.StatusOK, evaluationsData{Done: r.URL.Query().Get("done")})
}

func (s *Server) showEvaluations(w http.ResponseWriter, r *http.Request, status int, d evaluationsData) {
	if d.Year == 0 {
		d.Year, _ = strconv.Atoi(r.FormValue("year"))
	}
	if d.Year < 2000 || d.Year > 2100 {
		d.Year = time.Now().Year() - 1
	}
	var err error
	if d.Scores, err = s.prog.EvaluationScores(r.Context(), d.Year); err != nil {
		s.uiFail(w, r, err)
		return
	}
	if d.Values == nil {
		d.Values = url.Values{}
	}
	d.CanWrite = principal(r).Role == access.FinanceBureau
	s.render(w, r, status, "evaluations.html", pageData{Title: "ev.title", Data: d})
}

// evaluationForm records a score or allocates the pool (bureau only).
func (s *Server) evaluationForm(w http.ResponseWriter, r *http.Request) {
	p := principal(r) // the finance bureau (bureauOnly)
	lang := langOf(r)
	action := r.PathValue("action")
	if action != "score" && action != "pool" {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	_ = r.ParseForm()
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	d := evaluationsData{Form: action, Values: r.PostForm}
	refuse := func(field, m string) {
		d.Field, d.Error = field, m
		s.showEvaluations(w, r, http.StatusUnprocessableEntity, d)
	}
	year, err := strconv.Atoi(get("year"))
	if err != nil || year < 2000 || year > 2100 {
		refuse("year", msg(lang, "v.ev.year"))
		return
	}
	d.Year = year
	if action == "score" {
		in := funding.EvaluationInput{District: get("district"), Year: year, Evaluator: get("evaluator"), Note: get("note")}
		if in.District == "" {
			refuse("district", msg(lang, "v.ev.district"))
			return
		}
		sc, err := decimal.NewFromString(get("score"))
		if err != nil || sc.IsNegative() || sc.GreaterThan(decimal.NewFromInt(100)) || !sc.Equal(sc.Truncate(2)) {
			refuse("score", msg(lang, "v.ev.score"))
			return
		}
		in.Score = sc
		if in.ScoredOn, err = ledger.ParseDate(get("scored_on")); err != nil {
			refuse("scored_on", msg(lang, "v.ev.date"))
			return
		}
		if _, err := s.prog.RecordEvaluation(r.Context(), in, p.User); err != nil {
			status, m := userMessage(lang, err)
			if status >= 500 {
				s.page500(w, r, err)
				return
			}
			refuse("score", m)
			return
		}
		s.log.Info("evaluation recorded", "user", p.User, "district", in.District, "year", year, "score", sc.String())
		http.Redirect(w, r, "/evaluations?"+url.Values{"year": {strconv.Itoa(year)}, "done": {msg(lang, "ev.recorded")}}.Encode(), http.StatusSeeOther)
		return
	}
	pool, err := amount.ParsePositive(get("pool"))
	if err != nil {
		refuse("pool", msg(lang, "v.ev.pool"))
		return
	}
	req := funding.PoolRequest{Year: year, Pool: pool, Actor: p.User, DryRun: get("confirm") == ""}
	if v := get("on"); v != "" {
		if req.On, err = ledger.ParseDate(v); err != nil {
			refuse("on", msg(lang, "v.ev.date"))
			return
		}
	}
	res, err := s.prog.AllocatePool(r.Context(), req)
	if err != nil {
		status, m := userMessage(lang, err)
		if status >= 500 {
			s.page500(w, r, err)
			return
		}
		refuse("pool", m)
		return
	}
	s.log.Info("pool allocation", "user", p.User, "year", year, "pool", pool.StringFixed(2), "dry_run", req.DryRun, "version", res.Version)
	d.Pool = &res
	s.showEvaluations(w, r, http.StatusOK, d)
}

func (s *Server) registerEvaluationsUI() {
	s.handlePages(
		route{"GET", "/evaluations", false, s.browser(s.evaluationsPage)},
		route{"POST", "/evaluations/{action}", false, s.browser(s.bureauOnly(s.evaluationForm))},
	)
}
