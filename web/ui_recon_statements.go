package web

// Statement upload, reconciliation runs and the reconciliation statement
// (余额调节表) in the browser:
//
//	POST /recon/{bank}/statements   upload a statement file (multipart; a profile or "auto")
//	POST /recon/{bank}/run          run the matching passes for the period (or a dry run)
//	GET  /recon/{bank}/statement    the 余额调节表 at the period's end
//	GET  /recon/{bank}/imports      the statements imported for the account (search, sort, paging)
//
// Writes call what POST /api/bank-accounts/{code}/statements and
// /api/recon/runs call (recon.Import, recon.Run); the same rights apply.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"fundledger/recon"
)

// MaxImportsPage bounds a page of the imports list.
const MaxImportsPage = 200

type reconExtraKey struct{}

func init() {
	for name, f := range statementRowFigures {
		errorFigures[name] = func(_ string, err error) []any {
			var e recon.RowError
			if !errors.As(err, &e) {
				return nil
			}
			return f(e)
		}
	}
}

var reconMessages = map[string][2]string{
	"rc.upload":         {"上传银行对账单", "Upload a bank statement"},
	"rc.file":           {"对账单文件（CSV、XLSX 或 XLS）", "Statement file (CSV, XLSX or XLS)"},
	"rc.profile":        {"格式", "Layout"},
	"rc.auto":           {"自动识别", "Detect"},
	"rc.uploaded":       {"已导入对账单", "Statement imported"},
	"rc.already":        {"该文件以前已导入，未重复记录。", "This file was imported before; nothing stored again."},
	"rc.added":          {"新增行", "Lines added"},
	"rc.dups":           {"已有的行", "Lines already stored"},
	"rc.filelines":      {"文件行数", "Lines in the file"},
	"rc.span":           {"日期范围", "Dates"},
	"rc.closing":        {"期末余额", "Closing balance"},
	"rc.refused":        {"对账单未导入：以下各行有错误（整个文件都未导入）。", "The statement was not imported: these rows are wrong (nothing of the file was stored)."},
	"rc.row":            {"行", "Row"},
	"rc.field":          {"列", "Column"},
	"rc.reason":         {"原因", "Reason"},
	"rc.nofile":         {"请选择要上传的文件。", "Choose a file to upload."},
	"rc.toolarge":       {"文件太大。", "The file is too large."},
	"rc.run":            {"运行自动对账", "Run the reconciliation"},
	"rc.window":         {"日期容差（天，0–31）", "Date window (days, 0–31)"},
	"rc.dryrun":         {"试运行（不保存）", "Dry run (store nothing)"},
	"rc.ran":            {"自动对账完成，新匹配", "Reconciliation run done; new matches"},
	"rc.dryresult":      {"试运行结果（未保存）：可匹配", "Dry run (nothing stored): would match"},
	"rc.pass":           {"轮次", "Pass"},
	"rc.issues":         {"待人工处理", "Left for a person"},
	"rc.statement":      {"银行存款余额调节表", "Bank reconciliation statement"},
	"rc.imports":        {"已导入的对账单", "Imported statements"},
	"rc.bookbal":        {"单位银行存款日记账余额", "Balance per books"},
	"rc.bankbal":        {"银行对账单余额", "Balance per bank statement"},
	"rc.bankin":         {"加：银行已收、单位未收", "Add: received by the bank, not yet booked"},
	"rc.bankout":        {"减：银行已付、单位未付", "Less: paid by the bank, not yet booked"},
	"rc.bookin":         {"加：单位已收、银行未收", "Add: booked as received, not yet at the bank"},
	"rc.bookout":        {"减：单位已付、银行未付", "Less: booked as paid, not yet at the bank"},
	"rc.adjbook":        {"调节后的单位余额", "Adjusted book balance"},
	"rc.adjbank":        {"调节后的银行余额", "Adjusted bank balance"},
	"rc.agrees":         {"调节后余额相符。", "The adjusted balances agree."},
	"rc.differs":        {"调节后余额不符，差额：", "The adjusted balances differ by:"},
	"rc.asat":           {"截至", "As at"},
	"rc.count":          {"笔数", "Items"},
	"rc.bankfrom":       {"银行余额来源", "Bank balance from"},
	"rc.worklist":       {"对账工作表", "Worklist"},
	"rc.file.name":      {"文件", "File"},
	"rc.importedat":     {"导入时间", "Imported"},
	"rc.by":             {"导入人", "By"},
	"rc.search":         {"按文件名查找", "Find by file name"},
	"rc.sort":           {"排序", "Sort"},
	"rc.sort.new":       {"最新在前", "Newest first"},
	"rc.sort.old":       {"最早在前", "Oldest first"},
	"rc.limit":          {"每页最多 200 行。", "At most 200 rows a page."},
	"rc.window.bad":     {"日期容差应为 0 到 31 天。", "The date window is 0 to 31 days."},
	"rc.profile.bad":    {"没有这种对账单格式。", "No such statement layout."},
	"rc.run.refused":    {"自动对账未运行：", "The run was refused: "},
	"rc.from.statement": {"对账单所列余额", "the balance the statement lists"},
	"rc.from.lines":     {"对账单各行合计（对账单未列余额）", "the sum of the lines (the statement lists no balance)"},
	"rc.from.none":      {"尚无对账单", "no statement yet"},
	"rc.matches":        {"匹配记录", "Matches"},
	"rc.status":         {"状态", "Status"},
	"rc.status.all":     {"全部", "All"},
	"rc.status.active":  {"有效", "Active"},
	"rc.status.revoked": {"已撤销", "Revoked"},
	"rc.by.all":         {"全部方式", "Any way"},
	"rc.by.hand":        {"人工", "By hand"},
	"rc.by.run":         {"自动", "By a run"},
	"rc.by.label":       {"匹配方式", "Matched"},
	"rc.match.search":   {"按经办人或理由查找", "Find by actor or reason"},
	"rc.period.opt":     {"期间（可不填：全部）", "Period (blank: all)"},
	"rc.upload.denied":  {"只有财政局或本区经办人可以上传。", "Only the finance bureau or the district's officer may upload."},
	"rc.field.header":   {"表头", "Header"},
	"rc.field.date":     {"日期", "Date"},
	"rc.field.balance":  {"余额", "Balance"},

	"err.recon.ErrStatementTooLarge.detail":    {"文件超过 %d 字节，请拆分后上传。", "The file is larger than %d bytes; split it."},
	"err.recon.ErrStatementTooManyRows.detail": {"超过上限 %d，已停止读取；请拆分文件或先改正前面的错误。", "More than %d; reading stopped here: split the file or correct the errors above first."},
	"err.recon.ErrStatementHeader.detail":      {"前 %d 行中没有可识别的表头：需要日期列和金额列（或收入、支出两列）；请选择对应的格式。", "No header row in the first %d rows with a date column and an amount column (or in and out columns); choose the file's layout."},
	"err.recon.ErrStatementTooLong.detail":     {"内容超过 %d 字节。", "The text is longer than %d bytes."},
	"err.recon.ErrStatementDate.detail":        {"日期“%s”无法识别（应为如 2021-03-05 或 20210305 的日期）。", "The date “%s” cannot be read (write it as 2021-03-05 or 20210305)."},
	"err.recon.ErrStatementAmount.detail":      {"金额“%s”无法识别或超出范围。", "The amount “%s” cannot be read or is out of range."},
	"err.recon.ErrStatementDirection.detail":   {"借贷方向“%s”无法识别。", "The direction “%s” is not one the layout knows."},
	"err.recon.ErrStatementBalance.detail":     {"余额“%s”无法识别。", "The balance “%s” cannot be read."},
	"err.recon.ErrStatementTwoAmounts.detail":  {"收入和支出两列都有金额（%s 和 %s），一行只能填一列。", "Both in and out hold an amount (%s and %s); a line fills one of them."},
	"err.recon.ErrStatementDateOrder.detail":   {"日期 %s 早于上一行的 %s：各行应按日期排列（从早到晚或从晚到早）。", "The date %s is before the previous line's %s: lines must be in date order (oldest or newest first)."},
	"err.recon.ErrStatementBalanceBreak.detail": {"余额不连续：第 %d 行余额 %s，加本行金额 %s 应为 %s，文件所列为 %s（差额 %s）。",
		"The running balance breaks: row %d's balance %s plus this line's %s makes %s, but the file says %s (difference %s)."},
}

// reconExtra re-renders the worklist with an upload's or a run's outcome.
func (s *Server) reconExtra(w http.ResponseWriter, r *http.Request, status int, extra *reconData) {
	r = r.WithContext(context.WithValue(r.Context(), reconExtraKey{}, extra))
	s.showRecon(w, r, status, "", nil)
}

// limitBody bounds a request body before anything (the CSRF check of a
// multipart form) reads it.
func limitBody(n int64, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next(w, r)
	}
}

// statementUploadForm imports a statement file for the bank account:
// with the layout chosen, or found from the file's header ("auto", as
// recon import --profile auto). A refused file lists each refused row with
// its reason in the reader's language.
func (s *Server) statementUploadForm(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bankPage(w, r, true)
	if !ok {
		return
	}
	lang := langOf(r)
	extra := &reconData{Profile: r.FormValue("profile")}
	refuse := func(m string) {
		extra.UploadError = m
		s.reconExtra(w, r, http.StatusUnprocessableEntity, extra)
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			refuse(msg(lang, "rc.toolarge"))
		} else {
			refuse(msg(lang, "rc.nofile"))
		}
		return
	}
	data, err := io.ReadAll(io.LimitReader(file, recon.MaxStatementFileSize+1))
	_ = file.Close()
	if err != nil || len(data) > recon.MaxStatementFileSize {
		refuse(msg(lang, "rc.toolarge"))
		return
	}
	req := recon.ImportRequest{BankAccount: b.Code, File: hdr.Filename, Data: data, Actor: principal(r).User}
	if extra.Profile == "" || extra.Profile == "auto" {
		extra.Profile = "auto" // req.Profile nil: found from the header
	} else if req.Profile, err = recon.LookupProfile(extra.Profile); err != nil {
		refuse(msg(lang, "rc.profile.bad"))
		return
	}
	res, err := recon.New(s.db).ImportStatement(r.Context(), req)
	if err == nil {
		s.log.Info("statement imported", "user", req.Actor, "bank_account", b.Code, "profile", res.Profile, "import", res.ImportID, "added", res.Added)
		extra.Upload = &res
		s.reconExtra(w, r, http.StatusOK, extra)
		return
	}
	if !isUserError(err) {
		s.uiFail(w, r, err)
		return
	}
	s.log.Info("statement refused", "user", req.Actor, "bank_account", b.Code, "profile", extra.Profile, "reason", err.Error())
	var rows recon.RowErrors
	if !errors.As(err, &rows) {
		_, m := userMessage(lang, err)
		refuse(m)
		return
	}
	for _, e := range rows {
		extra.UploadErrors = append(extra.UploadErrors, rowProblem{Row: e.Row, Field: rowField(lang, e.Field), Reason: rowMessage(lang, e)})
	}
	s.reconExtra(w, r, http.StatusUnprocessableEntity, extra)
}

// rowProblem is a refused row of a statement file, in the reader's
// language.
type rowProblem struct {
	Row           int
	Field, Reason string
}

// rowField names the column of a row error: the file's own header text,
// or one of the words the reader sees for the parts recon names.
func rowField(lang, field string) string {
	switch field {
	case "header", "date", "balance":
		return msg(lang, "rc.field."+field)
	}
	return field
}

// rowMessage is a row error's reason from the catalogue, with its
// figures (statementRowFigures) where the error carries them.
func rowMessage(lang string, e recon.RowError) string {
	c, ok := catalogueEntry(e.Unwrap())
	if !ok {
		_, m := userMessage(lang, e)
		return m
	}
	key, args := c.messageKey(lang, e)
	return text(lang, key, args...)
}

// statementRowFigures give the detailed message of each named row error
// (messages "err.recon.ErrStatement….detail") its figures, from the
// RowError's fields; nil where the fields are empty.
var statementRowFigures = map[string]func(e recon.RowError) []any{
	"recon.ErrStatementTooLarge":    func(e recon.RowError) []any { return positive(e.Limit, e.Limit) },
	"recon.ErrStatementTooManyRows": func(e recon.RowError) []any { return positive(e.Limit, e.Limit) },
	"recon.ErrStatementHeader":      func(e recon.RowError) []any { return positive(e.Limit, e.Limit) },
	"recon.ErrStatementTooLong":     func(e recon.RowError) []any { return positive(e.Limit, e.Limit) },
	"recon.ErrStatementDate":        func(e recon.RowError) []any { return filled(e.Value) },
	"recon.ErrStatementAmount":      func(e recon.RowError) []any { return filled(e.Value) },
	"recon.ErrStatementDirection":   func(e recon.RowError) []any { return filled(e.Value) },
	"recon.ErrStatementBalance":     func(e recon.RowError) []any { return filled(e.Value) },
	"recon.ErrStatementTwoAmounts":  func(e recon.RowError) []any { return filled(e.Value, e.Other) },
	"recon.ErrStatementDateOrder":   func(e recon.RowError) []any { return filled(e.Value, e.Other) },
	"recon.ErrStatementBalanceBreak": func(e recon.RowError) []any {
		if !e.Previous.Valid || !e.Amount.Valid || !e.Computed.Valid || !e.Stated.Valid {
			return nil
		}
		return []any{e.OtherRow, e.Previous.Decimal.StringFixed(2), e.Amount.Decimal.StringFixed(2), e.Computed.Decimal.StringFixed(2),
			e.Stated.Decimal.StringFixed(2), e.Stated.Decimal.Sub(e.Computed.Decimal).StringFixed(2)}
	},
}

func positive(n int, args ...any) []any {
	if n <= 0 {
		return nil
	}
	return args
}

func filled(vs ...string) []any {
	args := make([]any, len(vs))
	for i, v := range vs {
		if v == "" {
			return nil
		}
		args[i] = v
	}
	return args
}

// reconRunForm runs the matching passes for the period.
func (s *Server) reconRunForm(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bankPage(w, r, true)
	if !ok {
		return
	}
	lang := langOf(r)
	per, perText, err := periodOf(r)
	if err != nil {
		s.reconExtra(w, r, http.StatusUnprocessableEntity, &reconData{RunError: msg(lang, "v.month")})
		return
	}
	extra := &reconData{Window: recon.DefaultWindowDays} // an empty window: the default
	if v := strings.TrimSpace(r.PostFormValue("window")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > recon.MaxWindowDays {
			extra.RunError = msg(lang, "rc.window.bad")
			s.reconExtra(w, r, http.StatusUnprocessableEntity, extra)
			return
		}
		extra.Window = n
	}
	req := recon.RunRequest{BankAccount: b.Code, Period: per, WindowDays: extra.Window, Actor: principal(r).User, DryRun: r.PostFormValue("dry_run") != ""}
	res, err := recon.New(s.db).Run(r.Context(), req)
	if err != nil {
		if !isUserError(err) {
			s.uiFail(w, r, err)
			return
		}
		_, m := userMessage(lang, err)
		extra.RunError = msg(lang, "rc.run.refused") + m
		s.reconExtra(w, r, http.StatusUnprocessableEntity, extra)
		return
	}
	s.log.Info("recon run", "user", req.Actor, "bank_account", b.Code, "period", perText, "dry_run", req.DryRun, "matched", res.Matched)
	if req.DryRun {
		extra.Run = &res
		s.reconExtra(w, r, http.StatusOK, extra)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/recon/%s?period=%s&ran=%d", url.PathEscape(b.Code), url.QueryEscape(perText), res.Matched), http.StatusSeeOther)
}

type reconStatementData struct {
	Bank   bankAccount
	Period string
	Report recon.Report
}

// reconStatementPage shows the 余额调节表 of the bank account at the
// period's end.
func (s *Server) reconStatementPage(w http.ResponseWriter, r *http.Request) {
	b, per, perText, ok := s.bankPeriodPage(w, r, false)
	if !ok {
		return
	}
	rep, err := recon.New(s.db).Report(r.Context(), recon.ReportRequest{BankAccount: b.Code, Period: per})
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "reconstatement.html", pageData{Title: "rc.statement", TitleText: b.Code,
		Data: reconStatementData{Bank: b, Period: perText, Report: rep}})
}

type importsData struct {
	Bank       bankAccount
	Rows       []recon.StoredImport
	Search     string
	Sort       string
	Page       int
	Prev, Next string
	Limit      int
}

// reconImportsPage lists the statements imported for the bank account.
func (s *Server) reconImportsPage(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bankPage(w, r, false)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := importsData{Bank: b, Search: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort"), Limit: MaxImportsPage}
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = min(max(d.Page, 1), maxPageNumber)
	if d.Sort != "old" {
		d.Sort = "new"
	}
	rows, err := recon.New(s.db).Imports(r.Context(), recon.ImportFilter{BankAccount: b.Code, Search: d.Search, Oldest: d.Sort == "old",
		Limit: MaxImportsPage + 1, Offset: (d.Page - 1) * MaxImportsPage})
	if err != nil {
		s.page500(w, r, err)
		return
	}
	d.Rows = rows
	link := func(n int) string {
		v := url.Values{"q": {d.Search}, "sort": {d.Sort}, "page": {strconv.Itoa(n)}}
		return "/recon/" + url.PathEscape(b.Code) + "/imports?" + v.Encode()
	}
	if len(d.Rows) > MaxImportsPage {
		d.Rows, d.Next = d.Rows[:MaxImportsPage], link(d.Page+1)
	}
	if d.Page > 1 {
		d.Prev = link(d.Page - 1)
	}
	s.render(w, r, http.StatusOK, "reconimports.html", pageData{Title: "rc.imports", TitleText: b.Code, Data: d})
}

// maxPageNumber bounds the page asked for in a list (its offset).
const maxPageNumber = 10000

// registerBureauUI adds the finance bureau's pages beyond the worklist.
func (s *Server) registerBureauUI() {
	for _, r := range []route{
		{"POST", "/recon/{bank}/statements", false, limitBody(recon.MaxStatementFileSize+1<<20, s.browser(s.statementUploadForm))},
		{"POST", "/recon/{bank}/run", false, s.browser(s.reconRunForm)},
		{"GET", "/recon/{bank}/statement", false, s.browser(s.reconStatementPage)},
		{"GET", "/recon/{bank}/imports", false, s.browser(s.reconImportsPage)},
		{"GET", "/recon/{bank}/matches", false, s.browser(s.reconMatchesPage)},
	} {
		s.mux.Handle(r.method+" "+r.path, s.htmlHeaders(r.handler))
	}
}

// MaxMatchesPage bounds a page of the matches list.
const MaxMatchesPage = 200

type matchesData struct {
	Bank               bankAccount
	Period             string
	Status, By, Search string
	Sort               string
	Rows               []recon.Match
	Total              int
	Page, Pages        int
	Prev, Next         string
}

// reconMatchesPage lists the bank account's matches: a period or all,
// active or revoked, by hand or by a run, found by actor or reason, oldest
// or newest first, MaxMatchesPage a page.
func (s *Server) reconMatchesPage(w http.ResponseWriter, r *http.Request) {
	b, ok := s.bankPage(w, r, false)
	if !ok {
		return
	}
	var err error
	q := r.URL.Query()
	d := matchesData{Bank: b, Period: strings.TrimSpace(q.Get("period")), Status: q.Get("status"), By: q.Get("by"),
		Search: strings.TrimSpace(q.Get("q")), Sort: q.Get("sort")}
	f := recon.MatchFilter{BankAccount: b.Code, IncludeRevoked: d.Status != "active"}
	if d.Period != "" {
		if f.Period, err = recon.ParsePeriod(d.Period); err != nil {
			s.uiFail(w, r, err)
			return
		}
	}
	all, err := recon.New(s.db).Matches(r.Context(), f)
	if err != nil {
		s.uiFail(w, r, err)
		return
	}
	for _, m := range all {
		switch {
		case d.Status == "revoked" && !m.Revoked, d.By == "hand" && m.Pass != 0, d.By == "run" && m.Pass == 0:
			continue
		case d.Search != "" && !strings.Contains(strings.ToLower(m.Actor+" "+m.Reason+" "+m.RevokedWhy), strings.ToLower(d.Search)):
			continue
		}
		d.Rows = append(d.Rows, m)
	}
	if d.Sort == "new" {
		slices.Reverse(d.Rows)
	} else {
		d.Sort = "old"
	}
	d.Total = len(d.Rows)
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Pages = max(1, (len(d.Rows)+MaxMatchesPage-1)/MaxMatchesPage)
	d.Page = min(max(d.Page, 1), d.Pages)
	link := func(n int) string {
		v := url.Values{"period": {d.Period}, "status": {d.Status}, "by": {d.By}, "q": {d.Search}, "sort": {d.Sort}, "page": {strconv.Itoa(n)}}
		return "/recon/" + url.PathEscape(b.Code) + "/matches?" + v.Encode()
	}
	if d.Page > 1 {
		d.Prev = link(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.Next = link(d.Page + 1)
	}
	d.Rows = d.Rows[(d.Page-1)*MaxMatchesPage : min(len(d.Rows), d.Page*MaxMatchesPage)]
	s.render(w, r, http.StatusOK, "reconmatches.html", pageData{Title: "rc.matches", TitleText: b.Code, Data: d})
}
