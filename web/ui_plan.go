package web

// The plan table (改造计划) in the browser, the finance bureau's:
//
//	GET  /plans               the imports, the one in force, their warnings
//	POST /plans/import        upload a plan file (CSV or XLSX); a 总计 row that
//	                          disagrees with its district rows is refused, each
//	                          figure listed (row, column, stated, computed),
//	                          unless accepted with a reason
//	POST /plans/{id}/activate make an earlier import the plan in force, with a reason
//
// The forms call funding.ImportPlanWith and funding.ActivatePlan, as the CLI
// does; everyone reads the list, only the bureau sees the forms.

import (
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"fundledger/access"
	"fundledger/funding"
)

// maxPlanUpload bounds a plan file upload.
const maxPlanUpload = 8 << 20

var planMessages = map[string][2]string{
	"nav.plans":         {"改造计划", "Plan"},
	"plan.title":        {"改造计划导入", "Plan imports"},
	"plan.upload":       {"导入改造计划表", "Import the plan table"},
	"plan.file":         {"计划表文件（CSV 或 XLSX）", "Plan file (CSV or XLSX)"},
	"plan.accept":       {"接受总计不符的理由（仅当总计行与各区合计不符时填写）", "Reason to accept totals that disagree (only when the total rows disagree with the districts)"},
	"plan.submit":       {"导入", "Import"},
	"plan.imported":     {"已导入计划", "Plan imported"},
	"plan.already":      {"同样内容的计划以前已导入；已设为现行计划。", "A plan with the same content was imported before; it is the plan in force."},
	"plan.warnings":     {"提示", "Warnings"},
	"plan.refused":      {"计划表未导入（整个文件都未导入）：", "The plan was not imported (nothing of the file was stored):"},
	"plan.control":      {"总计行与各区合计不符。核对后如确认按原表导入，请填写理由。", "A 总计 row disagrees with its district rows. If the table is to be imported as published, give a reason."},
	"plan.row":          {"行", "Row"},
	"plan.col":          {"列", "Column"},
	"plan.field":        {"字段", "Field"},
	"plan.stated":       {"表列总计", "Stated"},
	"plan.computed":     {"各区合计", "Sum of districts"},
	"plan.difference":   {"差额", "Difference"},
	"plan.reason":       {"说明", "Reason"},
	"plan.imports":      {"历次导入", "Imports"},
	"plan.inforce":      {"现行", "In force"},
	"plan.rows":         {"区行数", "District rows"},
	"plan.by":           {"导入人", "By"},
	"plan.at":           {"导入时间", "Imported"},
	"plan.accepted":     {"接受不符的理由", "Accepted mismatch"},
	"plan.activate":     {"设为现行计划", "Make it the plan in force"},
	"plan.activate.why": {"理由", "Reason"},
	"plan.activated":    {"已设为现行计划：导入", "In force now: import"},
	"plan.nofile":       {"请选择计划表文件。", "Choose a plan file."},
	"plan.toolarge":     {"文件太大（最多 8 MB）。", "The file is too large (8 MB at most)."},
	"plan.filename":     {"文件名只能包含字母、数字、点、横线和下划线。", "A file name may hold letters, digits, dots, dashes and underscores only."},
	"plan.none":         {"尚未导入改造计划。", "No plan has been imported."},
	"plan.households":   {"户数", "Households"},
	"plan.communities":  {"小区数", "Communities"},
	"plan.area":         {"建筑面积（㎡）", "Floor area (m²)"},
}

// planProblem is one reason a plan file was refused, with the figures of
// a control total that disagrees.
type planProblem struct {
	Row, Column                  int
	Field, Reason                string
	Control                      bool
	Stated, Computed, Difference string
}

type planData struct {
	CanWrite  bool
	Imports   []funding.PlanImportResult
	Result    *funding.PlanImportResult
	Problems  []planProblem
	Control   bool // a control total disagrees: the accept field matters
	Error     string
	Field     string
	Accept    string
	Activated string
	ActID     string
	ActReason string
}

func (s *Server) plansPage(w http.ResponseWriter, r *http.Request) {
	s.showPlans(w, r, http.StatusOK, planData{Activated: r.URL.Query().Get("activated")})
}

func (s *Server) showPlans(w http.ResponseWriter, r *http.Request, status int, d planData) {
	imps, err := s.prog.PlanImports(r.Context())
	if err != nil {
		s.page500(w, r, err)
		return
	}
	d.Imports = imps
	d.CanWrite = principal(r).Role == access.FinanceBureau
	s.render(w, r, status, "plans.html", pageData{Title: "plan.title", Data: d})
}

// planImportForm imports an uploaded plan file.
func (s *Server) planImportForm(w http.ResponseWriter, r *http.Request) {
	p := principal(r) // the finance bureau (bureauOnly)
	lang := langOf(r)
	d := planData{Accept: strings.TrimSpace(r.FormValue("accept"))}
	refuse := func(field, m string) {
		d.Field, d.Error = field, m
		s.log.Info("plan import refused", "user", p.User, "field", field)
		s.showPlans(w, r, http.StatusUnprocessableEntity, d)
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			refuse("file", msg(lang, "plan.toolarge"))
		} else {
			refuse("file", msg(lang, "plan.nofile"))
		}
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, maxPlanUpload+1))
	_ = file.Close()
	if err != nil || len(data) > maxPlanUpload {
		refuse("file", msg(lang, "plan.toolarge"))
		return
	}
	name := filepath.Base(hdr.Filename)
	if !ruleFileRE.MatchString(name) || name == "." || name == ".." {
		refuse("file", msg(lang, "plan.filename"))
		return
	}
	dir, err := os.MkdirTemp("", "fundledger-plan-")
	if err != nil {
		s.page500(w, r, err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		s.page500(w, r, err)
		return
	}
	res, err := s.prog.ImportPlanWith(r.Context(), path, funding.PlanImportOptions{Actor: p.User, AcceptControlTotalMismatch: d.Accept})
	if err != nil {
		var pe funding.PlanErrors
		if !errors.As(err, &pe) {
			status, m := userMessage(lang, err)
			if status >= 500 {
				s.page500(w, r, err)
				return
			}
			refuse("file", m)
			return
		}
		for _, e := range pe {
			pp := planProblem{Row: e.Row, Column: e.Column, Field: e.Field, Reason: e.Reason, Control: errors.Is(e.Err, funding.ErrControlTotalMismatch)}
			if pp.Control && e.Stated.Valid && e.Computed.Valid {
				pp.Stated, pp.Computed = e.Stated.Decimal.String(), e.Computed.Decimal.String()
				pp.Difference = e.Stated.Decimal.Sub(e.Computed.Decimal).String()
				d.Control = true
			}
			d.Problems = append(d.Problems, pp)
		}
		field := "file"
		if d.Control {
			field = "accept"
		}
		refuse(field, msg(lang, "plan.refused"))
		return
	}
	s.log.Info("plan imported", "user", p.User, "import", res.ImportID, "already", res.AlreadyImported)
	d.Result = &res
	s.showPlans(w, r, http.StatusOK, d)
}

// planActivateForm makes an earlier import the plan in force.
func (s *Server) planActivateForm(w http.ResponseWriter, r *http.Request) {
	p := principal(r) // the finance bureau (bureauOnly)
	lang := langOf(r)
	d := planData{ActID: r.PathValue("id"), ActReason: strings.TrimSpace(r.PostFormValue("reason"))}
	id, err := strconv.ParseInt(d.ActID, 10, 64)
	if err != nil || id <= 0 {
		s.errorPage(w, r, http.StatusNotFound, "err.notfound")
		return
	}
	if d.ActReason == "" {
		d.Field, d.Error = "reason", msg(lang, "v.reason_required")
		s.showPlans(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	if _, err := s.prog.ActivatePlan(r.Context(), id, p.User, d.ActReason); err != nil {
		status, m := userMessage(lang, err)
		if status >= 500 {
			s.page500(w, r, err)
			return
		}
		if status == http.StatusNotFound {
			s.errorPage(w, r, http.StatusNotFound, "err.notfound")
			return
		}
		d.Field, d.Error = "reason", m
		s.showPlans(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	s.log.Info("plan activated", "user", p.User, "import", id)
	http.Redirect(w, r, "/plans?activated="+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) registerPlanUI() {
	s.handlePages(
		route{"GET", "/plans", false, s.browser(s.plansPage)},
		route{"POST", "/plans/import", false, limitBody(maxPlanUpload+1<<16, s.browser(s.bureauOnly(s.planImportForm)))},
		route{"POST", "/plans/{id}/activate", false, s.browser(s.bureauOnly(s.planActivateForm))},
	)
}
