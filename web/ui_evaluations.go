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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/access"
	"fundledger/funding"
)

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
	"ev.evaluationyear": {"考核年度", "Evaluation year"},
}

type evaluationsData struct {
	CanWrite bool
	Year     int
	Scores   []funding.EvaluationScore
	Done     string
	Forms    []pageFormView
	Pool     *funding.PoolResult
}

// Form is the page's form named.
func (d evaluationsData) Form(name string) pageFormView {
	for _, f := range d.Forms {
		if f.Name == name {
			return f
		}
	}
	return pageFormView{}
}

type evaluationScoreForm struct {
	District  string          `form:"district" label:"ev.district" options:"districts" required:"true"`
	Year      int             `form:"year" label:"ev.year" required:"true"`
	Score     decimal.Decimal `form:"score" label:"ev.score" kind:"decimal" required:"true"`
	Evaluator string          `form:"evaluator" label:"ev.evaluator"`
	ScoredOn  time.Time       `form:"scored_on" label:"ev.scored_on" required:"true"`
	Note      string          `form:"note" label:"ev.note"`
}

type poolForm struct {
	Year int             `form:"year" label:"ev.year" required:"true"`
	Pool decimal.Decimal `form:"pool" label:"ev.pool.amount" required:"true"`
	On   time.Time       `form:"on" label:"ev.pool.on"`
}

// evaluationYear refuses a year out of 2000–2100.
func evaluationYear(year int) error {
	if year < 2000 || year > 2100 {
		return &formError{Field: "year", Label: "ev.year", Key: "v.ev.year"}
	}
	return nil
}

// evaluationForms are the score and the pool forms; the pool's is a dry
// run (the result in *pool) unless confirmed.
func (s *Server) evaluationForms(pool *funding.PoolResult) []pageForm {
	return []pageForm{
		declaredForm("score", "ev.record", func(r *http.Request, f evaluationScoreForm) (string, error) {
			if err := evaluationYear(f.Year); err != nil {
				return "", err
			}
			if f.Score.IsNegative() || f.Score.GreaterThan(decimal.NewFromInt(100)) || !f.Score.Equal(f.Score.Truncate(2)) {
				return "", &formError{Field: "score", Label: "ev.score", Key: "v.ev.score"}
			}
			e, err := s.prog.RecordEvaluation(r.Context(), funding.EvaluationInput{District: f.District, Year: f.Year, Score: f.Score,
				Evaluator: f.Evaluator, ScoredOn: f.ScoredOn, Note: f.Note}, principal(r).User)
			return e.District + " " + strconv.Itoa(f.Year) + " " + f.Score.String(), err
		}).refusedAt("score"),
		declaredForm("pool", "ev.pool", func(r *http.Request, f poolForm) (string, error) {
			if err := evaluationYear(f.Year); err != nil {
				return "", err
			}
			res, err := s.prog.AllocatePool(r.Context(), funding.PoolRequest{Year: f.Year, Pool: f.Pool, On: f.On, Actor: principal(r).User,
				DryRun: r.PostFormValue("confirm") == ""})
			*pool = res
			return strconv.Itoa(res.Year) + " " + res.Pool.StringFixed(2) + " " + strconv.Itoa(res.Version), err
		}).refusedAt("pool"),
	}
}

func (s *Server) evaluationsPage(w http.ResponseWriter, r *http.Request) {
	s.showEvaluations(w, r, http.StatusOK, evaluationsData{Done: r.URL.Query().Get("done")}, pageOutcome{})
}

func (s *Server) showEvaluations(w http.ResponseWriter, r *http.Request, status int, d evaluationsData, out pageOutcome) {
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
	d.CanWrite = principal(r).Role == access.FinanceBureau
	if d.CanWrite {
		ids := map[string][2]string{"score": {"sc", "ev-score-error"}, "pool": {"pool", "ev-pool-error"}}
		d.Forms, err = s.pageForms(r, s.evaluationForms(nil), out, func(name string) (string, string) { return ids[name][0], ids[name][1] })
		if err != nil {
			s.page500(w, r, err)
			return
		}
		d.Forms[0].preset("year", strconv.Itoa(d.Year))
		d.Forms[1].preset("year", strconv.Itoa(d.Year+1))
	}
	s.render(w, r, status, "evaluations.html", pageData{Title: "ev.title", Data: d})
}

// evaluationForm records a score or allocates the pool (bureau only): a
// pool's dry run shows each district's share and the steps, with the
// button that posts it.
func (s *Server) evaluationForm(w http.ResponseWriter, r *http.Request) {
	p := principal(r) // the finance bureau (bureauOnly)
	action := r.PathValue("action")
	var pool funding.PoolResult
	forms := s.evaluationForms(&pool)
	i := slices.IndexFunc(forms, func(f pageForm) bool { return f.name == action })
	if i < 0 {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	_ = r.ParseForm()
	out := s.runPageForm(r, forms[i])
	year, _ := strconv.Atoi(strings.TrimSpace(r.PostFormValue("year")))
	d := evaluationsData{Year: year}
	switch {
	case out.status >= 500:
		s.page500(w, r, out.err)
	case out.err != nil:
		s.log.Info("evaluation form refused", "user", p.User, "action", action, "reason", out.err.Error())
		s.showEvaluations(w, r, http.StatusUnprocessableEntity, d, out)
	case action == "score":
		s.log.Info("evaluation recorded", "user", p.User, "what", out.done)
		http.Redirect(w, r, "/evaluations?"+url.Values{"year": {strconv.Itoa(year)}, "done": {msg(langOf(r), "ev.recorded")}}.Encode(), http.StatusSeeOther)
	default:
		s.log.Info("pool allocation", "user", p.User, "what", out.done, "dry_run", pool.DryRun)
		d.Pool = &pool
		s.showEvaluations(w, r, http.StatusOK, d, pageOutcome{form: out.form, values: out.values})
	}
}

func (s *Server) registerEvaluationsUI() {
	s.handlePages(
		route{"GET", "/evaluations", false, s.browser(s.evaluationsPage)},
		route{"POST", "/evaluations/{action}", false, s.browser(s.bureauOnly(s.evaluationForm))},
	)
}
