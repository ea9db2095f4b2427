package web

// One catalogue of messages for people, in Chinese and English: the words
// of the browser pages, the refusals of input (v.*), the stable error codes
// of the API (code.*) and every named error of the packages ledger,
// funding, recon, access and rules (errorCatalogue). The API's problem
// detail and the pages' error messages both come from here, in the
// request's language; no message carries Go or SQL wording, an idempotency
// key or an entry id.

import (
	"errors"
	"fmt"
	"net/http"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/recon"
	"fundledger/report"
	"fundledger/rules"
)

const (
	langZh = report.LangZh
	langEn = report.LangEn
)

// text is a message in the language, formatted with args when it has verbs.
func text(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == langEn {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// msg is text without arguments (the templates' "t").
func msg(lang, key string) string { return text(lang, key) }

// codeMessage is the message of an API error code.
func codeMessage(lang, code string) string {
	if _, ok := messages["code."+code]; ok {
		return text(lang, "code."+code)
	}
	return text(lang, "code.internal")
}

// catalogued is a named error of a package: its HTTP status, stable code
// and message for a person.
type catalogued struct {
	err    error
	name   string // package.ErrName, as declared
	status int
	code   string
	zh, en string
}

// messageKey is the catalogue key of err's message and its arguments: the
// detailed message when the error carries its figures (errorFigures),
// else the error's plain message.
func (c catalogued) messageKey(lang string, err error) (string, []any) {
	if figures := errorFigures[c.name]; figures != nil {
		if args := figures(lang, err); args != nil {
			return "err." + c.name + ".detail", args
		}
	}
	return "err." + c.name, nil
}

// errorFigures find, in an error of the name, the figures of its detailed
// message (messages["err.<name>.detail"], a format), or nil.
var errorFigures = map[string]func(lang string, err error) []any{
	"funding.ErrBudgetLineExceeded": lineShortfallFigures,
	"funding.ErrNotEarmarked":       earmarkFigures,
}

// errorCatalogue maps every named error; the first that matches wins, so
// the more specific come first.
var errorCatalogue = []catalogued{
	{recon.ErrAmbiguousProfile, "recon.ErrAmbiguousProfile", http.StatusUnprocessableEntity, "ambiguous_profile",
		"对账单格式无法确定：表头同时符合几种银行格式，请指定格式。", "The statement's layout is ambiguous: its header fits several banks' layouts equally well; name the profile."},
	{recon.ErrDiscontinuous, "recon.ErrDiscontinuous", http.StatusUnprocessableEntity, "discontinuous",
		"对账单余额不连续：期初余额与上一份对账单的期末余额不符；如确认无误，请注明理由后重新导入。", "The statement does not follow on from the previous one: its opening balance is not the previous closing balance; import it again with a reason if that is right."},
	{funding.ErrExceedsFacility, "funding.ErrExceedsFacility", http.StatusUnprocessableEntity, "exceeds_facility",
		"提款超过贷款未提额度。", "The drawdown exceeds the loan's undrawn amount."},
	{funding.ErrInterestNotPaid, "funding.ErrInterestNotPaid", http.StatusUnprocessableEntity, "interest_not_paid",
		"该期利息尚未支付，不能拨付贴息。", "The interest of the period is not paid yet; its subsidy cannot be paid."},
	{funding.ErrSubsidyExceedsInterest, "funding.ErrSubsidyExceedsInterest", http.StatusUnprocessableEntity, "subsidy_exceeds_interest",
		"贴息超过已付利息或已下达的贴息。", "The subsidy exceeds the interest paid or the subsidy committed."},
	{funding.ErrInvestmentSubsidyExceeded, "funding.ErrInvestmentSubsidyExceeded", http.StatusUnprocessableEntity, "investment_subsidy_exceeded",
		"投资补助超过已完成投资的比例或上限。", "The investment subsidy exceeds its share of the investment completed, or its cap."},
	{funding.ErrExceedsCapital, "funding.ErrExceedsCapital", http.StatusUnprocessableEntity, "exceeds_capital",
		"使用超过该项目注入资本金的结余。", "The use exceeds the capital injected for the project that is left."},
	{funding.ErrBudgetLineExceeded, "funding.ErrBudgetLineExceeded", http.StatusUnprocessableEntity, "budget_line_exceeded",
		"无预算不支出：这笔支付超出批复的预算额度；请先调整预算。", "No payment without budget: this payment exceeds its approved budget line; adjust the budget first."},
	{funding.ErrNoBudgetLine, "funding.ErrNoBudgetLine", http.StatusUnprocessableEntity, "no_budget_line",
		"无预算不支出：该项目的这一类别没有批复预算，不能支付。", "No payment without budget: this category of the project has no approved budget line."},
	{funding.ErrBudgetBelowPaid, "funding.ErrBudgetBelowPaid", http.StatusUnprocessableEntity, "budget_below_paid",
		"调整后的预算不能低于已支付金额。", "A budget line cannot be lowered below what is already paid."},
	{ledger.ErrUnsealed, "ledger.ErrUnsealed", http.StatusConflict, "unsealed",
		"该月仍有分录未封存入哈希链，暂不能结账或反结账；请先封存（被扣留未封存的分录须先查明来源）。",
		"Entries of this month still wait to be sealed into the hash chain, so it cannot be closed or reopened yet; seal first (an entry the seal holds back must be investigated)."},
	{funding.ErrAlreadyPaid, "funding.ErrAlreadyPaid", http.StatusConflict, "already_paid",
		"已经拨付过，不能再次拨付或更正。", "Already paid; it cannot be paid again or corrected."},
	{funding.ErrOutOfOrder, "funding.ErrOutOfOrder", http.StatusUnprocessableEntity, "out_of_order",
		"步骤顺序不对：前一步尚未办理或日期更晚。", "This step comes too early: the step before it is missing or dated later."},
	{funding.ErrFuturePeriod, "funding.ErrFuturePeriod", http.StatusUnprocessableEntity, "future_period",
		"该期间尚未开始，不能考核。", "The period has not begun yet; it cannot be scored."},
	{funding.ErrPeriodOverlap, "funding.ErrPeriodOverlap", http.StatusConflict, "period_overlap",
		"与该项目已考核的期间重叠。", "Overlaps a period already scored for this project."},
	{funding.ErrPeriod, "funding.ErrPeriod", http.StatusUnprocessableEntity, "invalid",
		"期间格式不对：应为 YYYY、YYYY-H1/H2、YYYY-Q1…Q4 或 YYYY-MM。", "Not a period: write YYYY, YYYY-H1/H2, YYYY-Q1…Q4 or YYYY-MM."},
	{funding.ErrBankDistrict, "funding.ErrBankDistrict", http.StatusUnprocessableEntity, "bank_district",
		"银行账户属于其他区市；应使用本区市账户或市级账户。", "The bank account belongs to another district; use this district's account or a city account."},
	{funding.ErrControlTotalMismatch, "funding.ErrControlTotalMismatch", http.StatusUnprocessableEntity, "control_total_mismatch",
		"总计行与各区市行之和不一致，整表拒收（可说明理由后接受）。", "The 总计 row disagrees with its district rows; the file is refused unless accepted with a reason."},
	{access.ErrUnauthenticated, "access.ErrUnauthenticated", http.StatusUnauthorized, "unauthenticated",
		"请先登录，或提供有效的 API 令牌。", "Sign in, or send a valid API token."},
	{access.ErrDenied, "access.ErrDenied", http.StatusForbidden, "forbidden",
		"您无权查看或更改这些数据。", "You may not see or change this."},
	{access.ErrNotFound, "access.ErrNotFound", http.StatusNotFound, "not_found",
		"未找到该用户、区市或令牌。", "No such user, district or token."},
	{funding.ErrNotFound, "funding.ErrNotFound", http.StatusNotFound, "not_found",
		"未找到该项目、区市、资金来源、债券或银行账户。", "No such project, district, source, bond or bank account."},
	{ledger.ErrNotFound, "ledger.ErrNotFound", http.StatusNotFound, "not_found",
		"未找到该科目或记账凭证。", "No such account or entry."},
	{ledger.ErrIdempotencyConflict, "ledger.ErrIdempotencyConflict", http.StatusConflict, "idempotency_conflict",
		"这次提交的编号已用于另一笔内容不同的业务，本次未作任何记录。", "This submission's number was already used for a different transaction; nothing was recorded."},
	{funding.ErrExists, "funding.ErrExists", http.StatusConflict, "conflict",
		"已有编号相同但内容不同的记录。", "Something with this code exists already, with other data."},
	{access.ErrExists, "access.ErrExists", http.StatusConflict, "conflict",
		"该用户已存在。", "That user exists already."},
	{ledger.ErrAlreadyReversed, "ledger.ErrAlreadyReversed", http.StatusConflict, "conflict",
		"该笔业务已经冲销过。", "This transaction has been reversed already."},
	{ledger.ErrAccountExists, "ledger.ErrAccountExists", http.StatusConflict, "conflict",
		"已有编码相同但属性不同的科目。", "An account with this code exists, with other attributes."},
	{ledger.ErrOverdraft, "ledger.ErrOverdraft", http.StatusUnprocessableEntity, "overdraft",
		"余额不足：这笔支出会使账户透支。", "Not enough money: this would overdraw the account."},
	{funding.ErrNotEarmarked, "funding.ErrNotEarmarked", http.StatusUnprocessableEntity, "not_earmarked",
		"专款专用：该资金来源不能用于这一类支出。", "Earmarked money: this source may not pay for this category."},
	{funding.ErrExceedsCommitment, "funding.ErrExceedsCommitment", http.StatusUnprocessableEntity, "exceeds_commitment",
		"到位金额超过了该资金来源尚未到位的下达额度。", "The receipt is more than this source still has to pay in."},
	{ledger.ErrPeriodClosed, "ledger.ErrPeriodClosed", http.StatusUnprocessableEntity, "period_closed",
		"该月份已结账，不能再记账。请改用未结账月份的日期，或请财政局重新开账。", "That month is closed: use a date in an open month, or ask the finance bureau to reopen it."},
	{funding.ErrIneligible, "funding.ErrIneligible", http.StatusUnprocessableEntity, "ineligible",
		"该小区不符合改造条件（建成年代、土地性质或已列入拆迁）。", "The community is not eligible (year built, land, or slated for demolition)."},
	{funding.ErrStatus, "funding.ErrStatus", http.StatusUnprocessableEntity, "status",
		"在当前状态下不能进行这项操作。", "This is not allowed in the current status."},
	{funding.ErrNoRuleSet, "funding.ErrNoRuleSet", http.StatusUnprocessableEntity, "no_rule_set",
		"没有适用的资金分担规则，请先载入规则。", "No cost-sharing rule set applies; load one first."},
	{ledger.ErrUnbalanced, "ledger.ErrUnbalanced", http.StatusUnprocessableEntity, "unbalanced",
		"借贷不平衡：借方合计必须等于贷方合计。", "Debits and credits do not balance."},
	{ledger.ErrBookMismatch, "ledger.ErrBookMismatch", http.StatusUnprocessableEntity, "invalid",
		"该科目属于另一本账簿。", "The account belongs to another book."},
	{funding.ErrInvalid, "funding.ErrInvalid", http.StatusUnprocessableEntity, "invalid",
		"填写的内容有误，请检查后重试。", "Some input is not valid; check it and try again."},
	{ledger.ErrInvalid, "ledger.ErrInvalid", http.StatusUnprocessableEntity, "invalid",
		"记账内容有误，请检查日期、科目和金额。", "The entry is not valid; check its date, accounts and amounts."},
	{access.ErrInvalid, "access.ErrInvalid", http.StatusUnprocessableEntity, "invalid",
		"用户名、角色、密码或令牌的格式有误。", "The user name, role, password or token is not valid."},
	{funding.ErrConsent, "funding.ErrConsent", http.StatusUnprocessableEntity, "consent",
		"业主同意的比例未达到规则要求。", "Owners' consent is below the rule set's thresholds."},
	{funding.ErrConditionNotMet, "funding.ErrConditionNotMet", http.StatusUnprocessableEntity, "condition_not_met",
		"补助的前提条件尚未满足。", "A condition of the grant is not met yet."},
	{funding.ErrReserveShortfall, "funding.ErrReserveShortfall", http.StatusUnprocessableEntity, "reserve_shortfall",
		"偿债准备金不足，请指定兜底资金来源。", "The repayment reserve is short; name a backstop source."},
	{funding.ErrExceedsProceeds, "funding.ErrExceedsProceeds", http.StatusUnprocessableEntity, "exceeds_proceeds",
		"分配金额超过了该债券尚未分配的募集资金。", "The allocation is more than the bond's unallocated proceeds."},
	{ledger.ErrAppendOnly, "ledger.ErrAppendOnly", http.StatusConflict, "append_only",
		"账簿只能追加：已记录的内容不能修改或删除，请用冲销更正。", "The books are append-only: correct a transaction by reversing it."},
	// Refusals of matching and unmatching, before recon.ErrNotFound and
	// recon.ErrInvalid, which each of them also is.
	{recon.ErrMatchEmpty, "recon.ErrMatchEmpty", http.StatusUnprocessableEntity, "invalid",
		"请至少勾选一行对账单和一条账面记录，再进行匹配。", "Tick at least one statement line and one ledger posting to match."},
	{recon.ErrMatchTooLarge, "recon.ErrMatchTooLarge", http.StatusUnprocessableEntity, "invalid",
		"一次匹配勾选的对账单行和账面记录合计不能超过 1000 条，请分几次匹配。", "One match takes at most 1,000 statement lines and postings together; match them in several parts."},
	{recon.ErrReasonRequired, "recon.ErrReasonRequired", http.StatusUnprocessableEntity, "invalid",
		"请填写理由：手工匹配和撤销匹配都要说明原因。", "Give a reason: a match by hand and undoing a match both need one."},
	{recon.ErrReasonTooLong, "recon.ErrReasonTooLong", http.StatusUnprocessableEntity, "invalid",
		"理由太长（最多约 660 个汉字或 2000 个英文字符），请精简后再提交。", "The reason is too long (at most 2,000 characters in English, about 660 in Chinese); shorten it."},
	{recon.ErrActorRequired, "recon.ErrActorRequired", http.StatusUnprocessableEntity, "invalid",
		"无法确定操作人，请重新登录后再试。", "Who is acting is not known; sign in again and retry."},
	{recon.ErrLineOtherAccount, "recon.ErrLineOtherAccount", http.StatusUnprocessableEntity, "invalid",
		"所选对账单行属于另一个银行账户，只能与本账户的账面记录匹配；请在该账户的对账页面处理。", "A chosen statement line belongs to another bank account; match it on that account's reconciliation page."},
	{recon.ErrItemNamedTwice, "recon.ErrItemNamedTwice", http.StatusUnprocessableEntity, "invalid",
		"同一行对账单或同一条账面记录被选了两次，请每项只选一次。", "The same statement line or posting is chosen twice; choose each only once."},
	{recon.ErrPostingAmbiguous, "recon.ErrPostingAmbiguous", http.StatusUnprocessableEntity, "invalid",
		"该凭证在本账户有不止一条资金记录，请指明是哪一条（凭证号/行号）。", "That voucher has more than one cash line for this account; name the one meant (voucher/line)."},
	{recon.ErrPostingRef, "recon.ErrPostingRef", http.StatusUnprocessableEntity, "invalid",
		"账面记录应写作“凭证号”或“凭证号/行号”，例如 120 或 120/2。", "Write a posting as its voucher number or voucher/line, e.g. 120 or 120/2."},
	{recon.ErrPeriod, "recon.ErrPeriod", http.StatusUnprocessableEntity, "invalid",
		"期间无法识别：请写成 2021-03（月）、2021（年）或 2021-03-01..2021-03-15。", "The period cannot be read: write 2021-03 (a month), 2021 (a year) or 2021-03-01..2021-03-15."},
	{recon.ErrRunNoPeriod, "recon.ErrRunNoPeriod", http.StatusUnprocessableEntity, "invalid",
		"自动对账需要指定期间（如 2021-03）。", "An automatic reconciliation needs a period (e.g. 2021-03)."},
	{recon.ErrRunWindow, "recon.ErrRunWindow", http.StatusUnprocessableEntity, "invalid",
		"日期容差应在 0 到 31 天之间。", "The date window must be 0 to 31 days."},
	{recon.ErrLineNotFound, "recon.ErrLineNotFound", http.StatusNotFound, "not_found",
		"找不到所选的对账单行，请刷新页面后重新勾选。", "A chosen statement line does not exist; reload the page and choose again."},
	{recon.ErrPostingNotFound, "recon.ErrPostingNotFound", http.StatusNotFound, "not_found",
		"所选的账面记录不是经本银行账户收付的资金记录，请刷新页面后重新勾选。", "A chosen posting is not a payment or receipt through this bank account; reload the page and choose again."},
	{recon.ErrMatchNotFound, "recon.ErrMatchNotFound", http.StatusNotFound, "not_found",
		"找不到该匹配，请刷新页面。", "There is no such match; reload the page."},
	{recon.ErrBankAccountUnknown, "recon.ErrBankAccountUnknown", http.StatusNotFound, "not_found",
		"没有这个银行账户，请先登记该账户。", "No such bank account; register it first."},
	{recon.ErrNotFound, "recon.ErrNotFound", http.StatusNotFound, "not_found",
		"未找到该银行账户、对账单行或匹配。", "No such bank account, statement line or match."},
	{recon.ErrAlreadyMatched, "recon.ErrAlreadyMatched", http.StatusConflict, "conflict",
		"所选的项目已在一个有效的匹配中。", "A chosen item is already in an active match."},
	{recon.ErrRevoked, "recon.ErrRevoked", http.StatusConflict, "conflict",
		"该匹配已经撤销。", "The match has been revoked already."},
	{recon.ErrUnbalanced, "recon.ErrUnbalanced", http.StatusUnprocessableEntity, "unbalanced",
		"所选对账单行与账面记录的金额合计不相等。", "The chosen statement lines and ledger postings do not add up to the same amount."},
	{recon.ErrInvalid, "recon.ErrInvalid", http.StatusUnprocessableEntity, "invalid",
		"对账单或对账请求有误。", "The statement or the reconciliation request is not valid."},
	{recon.ErrStatementFile, "recon.ErrStatementFile", http.StatusUnprocessableEntity, "invalid",
		"无法读取该文件：应为 CSV（UTF-8 或 GBK 编码）、XLSX 或 Excel 97–2003（.xls）工作簿；文件损坏、加密或为更早版本的 .xls 时，请在 Excel 中另存为 .xlsx 或 CSV 后再上传。", "The file cannot be read: it should be a CSV (UTF-8 or GBK), an XLSX or an Excel 97–2003 (.xls) workbook; if it is damaged, password-protected or an older .xls, save it as .xlsx or CSV in Excel and upload that."},
	{recon.ErrStatementTooLarge, "recon.ErrStatementTooLarge", http.StatusUnprocessableEntity, "invalid",
		"文件太大，请拆分后上传。", "The file is too large; split it."},
	{recon.ErrStatementTooManyRows, "recon.ErrStatementTooManyRows", http.StatusUnprocessableEntity, "invalid",
		"行数或错误太多，已停止读取；请拆分文件或先改正前面的错误。", "Too many rows or errors; reading stopped here: split the file or correct the errors above first."},
	{recon.ErrStatementHeader, "recon.ErrStatementHeader", http.StatusUnprocessableEntity, "invalid",
		"没有可识别的表头：需要日期列和金额列（或收入、支出两列）；请选择对应的格式。", "No header row with a date column and an amount column (or in and out columns); choose the file's layout."},
	{recon.ErrStatementNoLines, "recon.ErrStatementNoLines", http.StatusUnprocessableEntity, "invalid",
		"表头下面没有对账单行。", "There are no statement lines under the header."},
	{recon.ErrStatementText, "recon.ErrStatementText", http.StatusUnprocessableEntity, "invalid",
		"该单元格的文字编码有误。", "The cell's text is not valid UTF-8."},
	{recon.ErrStatementDate, "recon.ErrStatementDate", http.StatusUnprocessableEntity, "invalid",
		"日期为空或无法识别。", "The date is empty or cannot be read."},
	{recon.ErrStatementAmount, "recon.ErrStatementAmount", http.StatusUnprocessableEntity, "invalid",
		"金额无法识别或超出范围。", "The amount cannot be read or is out of range."},
	{recon.ErrStatementNoAmount, "recon.ErrStatementNoAmount", http.StatusUnprocessableEntity, "invalid",
		"没有金额：金额为空或为零。", "No amount: it is empty or zero."},
	{recon.ErrStatementTwoAmounts, "recon.ErrStatementTwoAmounts", http.StatusUnprocessableEntity, "invalid",
		"收入和支出两列都有金额，一行只能填一列。", "Both in and out hold an amount; a line fills one of them."},
	{recon.ErrStatementDirection, "recon.ErrStatementDirection", http.StatusUnprocessableEntity, "invalid",
		"借贷方向无法识别。", "The direction is not one the layout knows."},
	{recon.ErrStatementBalance, "recon.ErrStatementBalance", http.StatusUnprocessableEntity, "invalid",
		"余额无法识别。", "The balance cannot be read."},
	{recon.ErrStatementTooLong, "recon.ErrStatementTooLong", http.StatusUnprocessableEntity, "invalid",
		"内容太长。", "The text is too long."},
	{recon.ErrStatementDateOrder, "recon.ErrStatementDateOrder", http.StatusUnprocessableEntity, "invalid",
		"各行应按日期排列（从早到晚或从晚到早）。", "Lines must be in date order (oldest or newest first)."},
	{recon.ErrStatementBalanceBreak, "recon.ErrStatementBalanceBreak", http.StatusUnprocessableEntity, "invalid",
		"余额不连续：上一行余额加本行金额与本行余额不符。", "The running balance breaks: the balance before plus this line's amount is not this line's balance."},
	{rules.ErrOverlap, "rules.ErrOverlap", http.StatusUnprocessableEntity, "invalid",
		"该规则的生效期间与已有规则重叠。", "The rule set's dates overlap a rule set in force."},
	{rules.ErrInvalidRuleSet, "rules.ErrInvalidRuleSet", http.StatusUnprocessableEntity, "invalid",
		"规则文件有误。", "The rule file is not valid."},
	{rules.ErrNoRuleSet, "rules.ErrNoRuleSet", http.StatusUnprocessableEntity, "no_rule_set",
		"该日期没有生效的规则。", "No rule set is in force on that date."},
	{rules.ErrAmbiguous, "rules.ErrAmbiguous", http.StatusUnprocessableEntity, "invalid",
		"有不止一套规则同时适用。", "More than one rule set applies."},
	{rules.ErrNoRule, "rules.ErrNoRule", http.StatusUnprocessableEntity, "no_rule_set",
		"规则中没有适用于这种情形的条款。", "The rule set has no rule for this case."},
	{rules.ErrUnknownCategory, "rules.ErrUnknownCategory", http.StatusUnprocessableEntity, "invalid",
		"未知的支出类别。", "Unknown spending category."},
	{rules.ErrBadAmount, "rules.ErrBadAmount", http.StatusUnprocessableEntity, "invalid",
		"金额有误。", "The amount is not valid."},
	{rules.ErrBadProject, "rules.ErrBadProject", http.StatusUnprocessableEntity, "invalid",
		"项目信息不完整或有误。", "The project's data is incomplete or wrong."},
	{rules.ErrWrongDistrict, "rules.ErrWrongDistrict", http.StatusUnprocessableEntity, "invalid",
		"该规则属于其他区市。", "The rule set belongs to another district."},
	{rules.ErrNoSection, "rules.ErrNoSection", http.StatusUnprocessableEntity, "no_rule_set",
		"规则中没有这一部分（如加装电梯、管线设施）。", "The rule set has no such section (elevators, utility facilities)."},
	{rules.ErrBadInput, "rules.ErrBadInput", http.StatusUnprocessableEntity, "invalid",
		"补助计算的输入有误。", "The input of the grant's computation is not valid."},
}

// catalogueEntry finds the first named error err matches.
func catalogueEntry(err error) (catalogued, bool) {
	for _, c := range errorCatalogue {
		if errors.Is(err, c.err) {
			return c, true
		}
	}
	return catalogued{}, false
}

// classify gives the status and code of an error of the packages (500
// internal for anything else).
func classify(err error) (int, string) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, "too_large"
	}
	if c, ok := catalogueEntry(err); ok {
		return c.status, c.code
	}
	return http.StatusInternalServerError, "internal"
}

// userMessage is the message for a person of any error, and its status.
func userMessage(lang string, err error) (int, string) {
	var p *problem
	if errors.As(err, &p) {
		return p.Status, p.fill(lang).Detail
	}
	if c, ok := catalogueEntry(err); ok {
		key, args := c.messageKey(lang, err)
		return c.status, text(lang, key, args...)
	}
	status, code := classify(err)
	return status, codeMessage(lang, code)
}

func init() {
	for _, c := range errorCatalogue {
		messages["err."+c.name] = [2]string{c.zh, c.en}
	}
	messages["err.funding.ErrBudgetLineExceeded.detail"] = [2]string{
		"无预算不支出：项目 %s 的%s预算 %s 元，已支付 %s 元，尚余 %s 元；这笔 %s 元的支付超出 %s 元。请先调整预算。",
		"No payment without budget: project %s, %s line: budget %s, already paid %s, remaining %s; this payment of %s exceeds it by %s. Adjust the budget first.",
	}
	messages["err.funding.ErrNotEarmarked.detail"] = [2]string{
		"专款专用：%s资金不能用于%s，只能用于项目规则集允许的类别。",
		"Earmarked money: %s money may not pay for %s; it may pay only the categories the project's rule set allows.",
	}
}

// earmarkFigures are the source and the category (in the language) of a
// payment or budget line refused by 专款专用.
func earmarkFigures(lang string, err error) []any {
	var er *funding.EarmarkRefusal
	if !errors.As(err, &er) || er.Category == "" {
		return nil
	}
	what := categoryWord(lang, er.Category)
	if er.WorkItem != "" {
		what += " / " + er.WorkItem
	}
	return []any{sourceWord(lang, er.Source), what}
}

// lineShortfallFigures are the figures of a payment refused by its budget
// line, for its detailed message.
func lineShortfallFigures(lang string, err error) []any {
	var ls *funding.LineShortfall
	if !errors.As(err, &ls) {
		return nil
	}
	line := categoryName(lang, ls.Category)
	if ls.Source != "" {
		line += " / " + sourceName(lang, ls.Source)
	}
	return []any{ls.Project, line, report.Amount(ls.Budget), report.Amount(ls.Paid), report.Amount(ls.Remaining),
		report.Amount(ls.Amount), report.Amount(ls.Shortfall)}
}

var messages = map[string][2]string{ // key → {zh, en}
	"app":                 {"老旧小区改造资金台账", "Old-community renovation funding ledger"},
	"login.title":         {"登录", "Sign in"},
	"login.user":          {"用户名", "User name"},
	"login.password":      {"密码", "Password"},
	"login.submit":        {"登录", "Sign in"},
	"login.wrong":         {"用户名或密码错误。", "Wrong user name or password."},
	"login.limited":       {"登录失败次数过多，请稍后再试（等待时间随失败次数增加）。", "Too many failed sign-ins; try again later (the wait grows with each failure)."},
	"logout":              {"退出", "Sign out"},
	"nav.districts":       {"区市", "Districts"},
	"nav.reports":         {"报表", "Reports"},
	"dash.title":          {"区市资金看板", "District dashboard"},
	"dash.sources":        {"按资金来源", "Money by source"},
	"dash.categories":     {"按类别", "By category"},
	"dash.chart":          {"下达、到位与拨付", "Committed, received and disbursed"},
	"dash.plan":           {"计划进度", "Plan progress"},
	"dash.milestones":     {"全市节点目标", "City-wide milestones"},
	"dash.noplan":         {"尚未导入改造计划。", "No plan has been imported."},
	"dash.projects":       {"项目", "Projects"},
	"dash.download":       {"下载报表", "Download report"},
	"dash.nomoney":        {"暂无资金记录。", "No money recorded yet."},
	"col.source":          {"资金来源", "Source"},
	"col.category":        {"类别", "Category"},
	"col.committed":       {"下达", "Committed"},
	"col.received":        {"到位", "Received"},
	"col.disbursed":       {"拨付", "Disbursed"},
	"col.available":       {"结余", "Available"},
	"col.outstanding":     {"待到位", "Outstanding"},
	"col.budget":          {"批复预算", "Budget"},
	"col.paid":            {"已支付", "Paid"},
	"col.unpaid":          {"未支付", "Unpaid"},
	"col.total":           {"合计", "Total"},
	"col.year":            {"年度", "Year"},
	"col.planned":         {"计划小区", "Planned"},
	"col.households":      {"户数", "Households"},
	"col.approved":        {"已批复", "Approved"},
	"col.completed":       {"已完工", "Completed"},
	"col.pct":             {"完工比例", "Completed %"},
	"col.due":             {"截止", "Due"},
	"col.target":          {"目标", "Target"},
	"col.plan":            {"计划安排", "Planned share"},
	"col.actual":          {"实际完成", "Actual"},
	"col.status":          {"状态", "Status"},
	"col.code":            {"编号", "Code"},
	"col.name":            {"名称", "Name"},
	"col.date":            {"日期", "Date"},
	"col.entry":           {"分录", "Entry"},
	"col.book":            {"账簿", "Book"},
	"col.memo":            {"摘要", "Memo"},
	"col.actor":           {"经办人", "Actor"},
	"col.amount":          {"金额", "Amount"},
	"proj.title":          {"项目", "Project"},
	"proj.address":        {"地址", "Address"},
	"proj.planyear":       {"计划年度", "Plan year"},
	"proj.entries":        {"最近分录", "Recent entries"},
	"proj.noentries":      {"暂无分录。", "No entries yet."},
	"proj.nobudget":       {"尚无批复预算，不能登记到位资金。", "No approved budget yet: receipts cannot be recorded."},
	"rcpt.title":          {"登记资金到位", "Record a receipt"},
	"rcpt.source":         {"资金来源", "Source"},
	"rcpt.amount":         {"金额（元）", "Amount (yuan)"},
	"rcpt.date":           {"到位日期", "Received on"},
	"rcpt.bank":           {"收款账户", "Bank account"},
	"rcpt.reference":      {"凭证号", "Voucher reference"},
	"rcpt.memo":           {"备注", "Memo"},
	"rcpt.submit":         {"登记", "Record"},
	"rcpt.done":           {"已登记到位资金，分录", "Receipt recorded, entry"},
	"rcpt.replayed":       {"该表单已提交过，未重复登记。分录", "This form was already submitted; nothing was posted twice. Entry"},
	"err.title":           {"出错了", "Error"},
	"err.forbidden":       {"您无权访问该区市的数据。", "You may not see or change this district's data."},
	"err.notfound":        {"未找到。", "Not found."},
	"err.csrf":            {"表单已失效或来源不明，请刷新页面后重试。", "The form has expired or did not come from this site; reload the page and try again."},
	"err.unauthenticated": {"请先登录。", "Please sign in."},
	"err.internal":        {"服务器内部错误。", "Internal server error."},
	"err.nodistricts":     {"尚未给您分配区市。", "No district has been granted to you."},
	"back":                {"返回", "Back"},
	"ms.met":              {"已达成", "met"},
	"ms.missed":           {"未达成", "missed"},
	"ms.not_yet_due":      {"未到期", "not yet due"},
	"ms.no_plan":          {"无计划", "no plan"},
}

// The refusals of input and the API's own codes.
var inputMessages = map[string][2]string{
	"v.field":                     {"字段 %s：", "Field %s: "},
	"v.required":                  {"请填写“%s”。", "%s is required."},
	"v.date":                      {"日期格式应为 年-月-日，如 2021-03-15。", "Want a date as YYYY-MM-DD, e.g. 2021-03-15."},
	"v.district_required":         {"请指定区市（district）。", "Name the district (district)."},
	"v.month":                     {"月份格式应为 年-月，如 2021-03。", "Want a month as YYYY-MM, e.g. 2021-03."},
	"v.period":                    {"期间格式应为 2021-03、2021 或 2021-03-01..2021-03-31。", "Want a period as 2021-03, 2021 or 2021-03-01..2021-03-31."},
	"v.amount":                    {"金额应为正数，最多两位小数，如 1234.50。", "Want a positive amount with at most two decimals, e.g. 1234.50."},
	"v.decimal":                   {"应为数字，如 3.25。", "Want a number such as 3.25."},
	"v.category":                  {"类别应为 基础类、完善类 或 提升类。", "Want a category: basic, improvement or upgrade."},
	"v.side":                      {"借贷方向应为 D（借）或 C（贷）。", "Want a side: D (debit) or C (credit)."},
	"v.postings":                  {"一笔凭证至少要有两行。", "An entry needs at least two postings."},
	"v.lines":                     {"至少需要一行预算。", "At least one budget line is required."},
	"v.book":                      {"账簿应为 financial（财务）或 budget（预算）。", "Want a book: financial or budget."},
	"v.format":                    {"格式应为 json、csv 或 xlsx。", "Want a format: json, csv or xlsx."},
	"v.lang":                      {"语言应为 zh 或 en。", "Want a language: zh or en."},
	"v.filename":                  {"文件名只能包含字母、数字、点、下划线和连字符。", "A file name of letters, digits, '.', '_' or '-'."},
	"v.file":                      {"请求正文应为上传的文件。", "The body is the file."},
	"v.window":                    {"匹配窗口应为 0 到 %d 天。", "The matching window is 0 to %d days."},
	"v.max_items":                 {"每次最多 %d 项。", "At most %d per request."},
	"v.twice":                     {"“%s”重复出现。", "%s is named twice."},
	"v.reason_required":           {"请填写理由。", "A reason is required."},
	"v.key_required":              {"每次写入都需要 Idempotency-Key 请求头（一次提交的编号）。", "Every write needs an Idempotency-Key header."},
	"v.key_format":                {"Idempotency-Key 应为 1 到 80 个可打印 ASCII 字符，不含空格。", "Idempotency-Key: 1 to 80 printable ASCII characters, no spaces."},
	"v.bad_text":                  {"请求正文第 %d 行第 %d 列不是有效文本（非 UTF-8 字节、孤立代理项或指数写法的数字），未作任何记录。", "The request body at line %d, column %d is not valid text (bytes that are not UTF-8, a lone surrogate, or a number with an exponent); nothing was recorded."},
	"v.media_type":                {"请以 %s 格式发送请求正文（Content-Type 请求头）。", "Send the body as %s (the Content-Type header)."},
	"v.too_large":                 {"请求正文超过 %d MiB。", "The request body is larger than %d MiB."},
	"v.param":                     {"参数“%s”的值有误。", "The parameter %s has a wrong value."},
	"v.json":                      {"请求正文不是有效的 JSON。", "The body is not valid JSON."},
	"v.schema":                    {"字段“%s”：%s", "Field %s: %s"},
	"v.no_such":                   {"未找到：%s。", "Not found: %s."},
	"v.already_closed":            {"该月份已经结账。", "The month is closed already."},
	"v.not_closed":                {"该月份没有结账，无需重新开账。", "The month is not closed."},
	"v.city_wide":                 {"全市汇总报表仅供财政局和审计查看。", "City-wide reports are for the finance bureau and auditors."},
	"v.one_district":              {"请用 ?district= 指定一个您负责的区市。", "Name one of your districts with ?district=."},
	"v.not_issued":                {"债券 %s 尚未发行。", "Bond %s is not issued yet."},
	"v.reason.required":           {"必填", "is required"},
	"v.reason.unknown":            {"不是可接受的字段", "is not a field this request takes"},
	"v.reason.string":             {"应为文本（金额和日期也以文本填写，如 \"1234.50\"）", "want a string (amounts and dates are strings, e.g. \"1234.50\")"},
	"v.reason.number":             {"应为整数", "want a number"},
	"v.reason.bool":               {"应为 true 或 false", "want true or false"},
	"v.reason.other":              {"值不符合要求", "the value is not accepted"},
	"pstatus.planned":             {"计划", "planned"},
	"pstatus.approved":            {"已批复", "approved"},
	"pstatus.under_way":           {"在建", "under way"},
	"pstatus.completed":           {"已完工", "completed"},
	"pstatus.accepted":            {"已验收", "accepted"},
	"code.bad_parameter":          {"参数有误。", "A parameter is wrong."},
	"code.bad_json":               {"请求正文不是有效的 JSON。", "The body is not valid JSON."},
	"code.invalid":                {"填写的内容有误。", "Some input is not valid."},
	"code.not_found":              {"未找到。", "Not found."},
	"code.forbidden":              {"您无权查看或更改这些数据。", "You may not see or change this."},
	"code.conflict":               {"与已有记录冲突。", "This conflicts with what is recorded."},
	"code.too_large":              {"请求正文过大。", "The request body is too large."},
	"code.internal":               {"服务器内部错误，请稍后再试或联系管理员。", "Internal error; try again later or ask the administrator."},
	"code.unauthenticated":        {"请先登录，或提供有效的 API 令牌。", "Sign in, or send a valid API token."},
	"code.unsupported_media_type": {"请求正文的格式不被接受。", "The body's media type is not accepted."},
}

// pageWords are the words of the pages, each map kept next to its page,
// merged into messages once here. A key stands in one place only, or with
// the same words everywhere (TestNoMessageKeyDefinedTwice).
var pageWords = map[string]map[string][2]string{
	"input": inputMessages, "page": pageMessages, "form": formMessages, "bond": bondMessages,
	"budget": budgetMessages, "list": listMessages, "evaluation": evaluationMessages,
	"grant step": grantStepMessages, "grant list": grantListMessages, "loan": loanMessages,
	"officer": officerMessages, "bureau": bureauMessages, "plan": planMessages,
	"worklist": worklistMessages, "recon": reconMessages, "trial": trialMessages,
}

func init() {
	for _, m := range pageWords {
		for k, v := range m {
			if _, taken := messages[k]; !taken {
				messages[k] = v
			}
		}
	}
}

// The words of the worklist, reports, dashboard panels and grants.
var pageMessages = map[string][2]string{
	"recon.title":        {"银行对账", "Bank reconciliation"},
	"recon.period":       {"期间", "Period"},
	"recon.show":         {"查看", "Show"},
	"recon.summary":      {"本期概况", "The period"},
	"recon.lines":        {"对账单未匹配", "Unmatched statement lines"},
	"recon.postings":     {"账面未匹配", "Unmatched ledger postings"},
	"recon.issues":       {"待人工处理", "Left for a person"},
	"recon.noissues":     {"没有待人工处理的事项。", "Nothing is left for a person."},
	"recon.none":         {"无。", "None."},
	"recon.match":        {"人工匹配", "Match by hand"},
	"recon.reason":       {"理由", "Reason"},
	"recon.submit":       {"匹配所选项", "Match the checked items"},
	"recon.matches":      {"本期匹配", "Matches of the period"},
	"recon.unmatch":      {"撤销", "Revoke"},
	"recon.matched":      {"已匹配，编号", "Matched, match"},
	"recon.unmatched":    {"已撤销匹配", "Revoked match"},
	"recon.book":         {"账面余额", "Book balance"},
	"recon.bank":         {"银行余额", "Bank balance"},
	"recon.difference":   {"差额", "Difference"},
	"recon.transit":      {"已匹配期后项目", "matched to a later item"},
	"recon.pass":         {"方式", "How"},
	"recon.byhand":       {"人工", "by hand"},
	"recon.revoked":      {"已撤销", "revoked"},
	"col.direction":      {"收/付", "In/out"},
	"col.reference":      {"凭证号", "Reference"},
	"col.counterparty":   {"对方", "Counterparty"},
	"col.line":           {"行", "Line"},
	"col.posting":        {"分录/行", "Entry/line"},
	"col.kind":           {"类型", "Kind"},
	"col.note":           {"说明", "Note"},
	"col.items":          {"项目", "Items"},
	"col.match":          {"匹配", "Match"},
	"col.reason":         {"理由", "Reason"},
	"col.coverage":       {"偿债覆盖率", "Coverage"},
	"col.flag":           {"标记", "Flag"},
	"col.allocated":      {"分配债券资金", "Allocated"},
	"rep.title":          {"报表", "Reports"},
	"rep.asof":           {"截至日期", "As of"},
	"rep.district":       {"区市", "District"},
	"rep.all":            {"全部", "All"},
	"rep.view":           {"查看", "View"},
	"rep.statement":      {"报表", "Report"},
	"rep.empty":          {"无数据。", "No rows."},
	"rep.district-rep":   {"区市资金报表", "District funding report"},
	"rep.plan-progress":  {"改造计划进度", "Plan progress"},
	"rep.bonds":          {"专项债券偿债能力", "Bond repayment and coverage"},
	"rep.grants":         {"加装电梯补助", "Elevator grants"},
	"rep.trial-balances": {"试算平衡表", "Trial balances"},
	"rep.balance-sheet":  {"资产负债表", "Balance sheet"},
	"rep.budget-vs-act":  {"预算执行", "Budget vs actual"},
	"rep.sources":        {"资金来源", "Sources"},
	"rep.earmark":        {"专款专用", "Earmark compliance"},
	"bond.title":         {"专项债券偿债能力", "Bond coverage"},
	"bond.none":          {"本区市无专项债券资金。", "No bond money in this district."},
	"bond.below":         {"低于阈值", "below threshold"},
	"bond.ok":            {"达标", "ok"},
	"bond.repaid":        {"已清偿", "repaid"},
	"bond.allocated":     {"分配债券资金", "Allocated"},
	"bond.outstanding":   {"未还本金", "Principal outstanding"},
	"bond.reserve":       {"偿债准备金", "Reserve"},
	"bond.revenue":       {"剩余预期收益", "Remaining expected revenue"},
	"bond.debt":          {"剩余应付本息", "Remaining debt service"},
	"bond.threshold":     {"阈值", "Threshold"},
	"err.invalid":        {"输入有误。", "Invalid input."},
	"bank.title":         {"银行账户", "Bank accounts"},
	"bank.none":          {"本区市无银行账户。", "No bank accounts in this district."},
	"bank.recon":         {"对账", "Reconcile"},
	"col.bank":           {"开户行", "Bank"},
	"grant.title":        {"补助资金", "Grants"},
	"grant.elevators":    {"加装电梯申请", "Elevator applications"},
	"grant.facilities":   {"管线设施", "Utility facilities"},
	"grant.unit":         {"楼/单元", "Building/unit"},
	"grant.committed":    {"已承诺补助", "Grant committed"},
	"grant.paid":         {"已拨付补助", "Grant paid"},
	"grant.residents":    {"居民应缴未缴", "Residents' share outstanding"},
	"grant.owner":        {"产权人", "Owner"},
	"grant.award":        {"奖补金额", "Award"},
	"grant.none":         {"本项目无补助。", "No grants for this project."},
	"gapp.applied":       {"已申请", "applied"},
	"gapp.refused":       {"未批准", "refused"},
	"gapp.approved":      {"已批准", "approved"},
	"gapp.accepted":      {"已验收", "accepted"},
	"gapp.paid":          {"已拨付", "paid"},
	"gfac.registered":    {"已登记", "registered"},
	"gfac.committed":     {"已承诺", "committed"},
	"gfac.transferred":   {"已移交", "transferred"},
	"gfac.paid":          {"已拨付", "paid"},
}
