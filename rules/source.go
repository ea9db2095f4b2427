package rules

// SourceKind groups funding sources by who ultimately provides the money.
type SourceKind string

// The kinds of funding source.
const (
	KindGovernment SourceKind = "government" // fiscal budgets: central, provincial, municipal, district
	KindDebt       SourceKind = "debt"       // special-purpose bonds and policy-bank loans: must be repaid
	KindUtility    SourceKind = "utility"    // utility companies (专营单位)
	KindEmployer   SourceKind = "employer"   // original property-owning employer (原产权单位)
	KindResident   SourceKind = "resident"   // residents: direct, maintenance fund, public income
	KindMarket     SourceKind = "market"     // social capital (社会资本)
	KindDepartment SourceKind = "department" // departmental special funds (民政, 卫生健康, 体育)
)

// Source is a known funding source.
type Source struct {
	Code   string     // stable code used in rule files and in the database, e.g. "utility:power"
	NameZH string     // Chinese label, e.g. 供电
	NameEN string     // English label
	Kind   SourceKind // who provides the money
}

// Source codes, in canonical order.
const (
	SourceCentral          = "central"
	SourceProvincial       = "provincial"
	SourceMunicipal        = "municipal"
	SourceDistrict         = "district"
	SourceBond             = "bond"
	SourcePolicyBank       = "policy_bank"
	SourcePower            = "utility:power"
	SourceTelecom          = "utility:telecom"
	SourceWater            = "utility:water"
	SourceGas              = "utility:gas"
	SourceHeating          = "utility:heating"
	SourceCableTV          = "utility:cabletv"
	SourceEmployer         = "employer"
	SourceResidentDirect   = "resident:direct"
	SourceMaintenanceFund  = "resident:maintenance_fund"
	SourcePublicIncome     = "resident:public_income"
	SourceSocialCapital    = "social_capital"
	SourceDeptCivilAffairs = "dept:civil_affairs"
	SourceDeptHealth       = "dept:health"
	SourceDeptSports       = "dept:sports"
)

// sources is the canonical order. The order is part of the contract: totals
// are listed in it, and rounding ties are broken by it. Append only.
var sources = []Source{
	{SourceCentral, "中央补助", "central government subsidy", KindGovernment},
	{SourceProvincial, "省级补助", "provincial subsidy", KindGovernment},
	{SourceMunicipal, "市级财政", "municipal budget", KindGovernment},
	{SourceDistrict, "区市财政", "district budget", KindGovernment},
	{SourceBond, "专项债券", "special-purpose bond", KindDebt},
	{SourcePolicyBank, "政策性银行贷款", "policy-bank loan (CDB / ADBC)", KindDebt},
	{SourcePower, "供电", "power utility", KindUtility},
	{SourceTelecom, "通信", "telecom utility", KindUtility},
	{SourceWater, "供水", "water utility", KindUtility},
	{SourceGas, "燃气", "gas utility", KindUtility},
	{SourceHeating, "供热", "heating utility", KindUtility},
	{SourceCableTV, "有线电视", "cable TV utility", KindUtility},
	{SourceEmployer, "原产权单位", "original property-owning employer", KindEmployer},
	{SourceResidentDirect, "居民出资", "residents, direct contribution", KindResident},
	{SourceMaintenanceFund, "住宅专项维修资金", "housing maintenance fund", KindResident},
	{SourcePublicIncome, "小区公共收益", "community public income", KindResident},
	{SourceSocialCapital, "社会资本", "social capital", KindMarket},
	{SourceDeptCivilAffairs, "民政", "civil affairs department fund", KindDepartment},
	{SourceDeptHealth, "卫生健康", "health department fund", KindDepartment},
	{SourceDeptSports, "体育", "sports department fund", KindDepartment},
}

// sourceIndex maps a code to its position in the canonical order.
var sourceIndex = func() map[string]int {
	m := make(map[string]int, len(sources))
	for i, s := range sources {
		m[s.Code] = i
	}
	return m
}()

// Sources returns the known funding sources in canonical order. The slice is
// a copy: callers may modify it.
func Sources() []Source {
	return append([]Source(nil), sources...)
}

// LookupSource returns the source with that code.
func LookupSource(code string) (Source, bool) {
	i, ok := sourceIndex[code]
	if !ok {
		return Source{}, false
	}
	return sources[i], true
}

// SourceOrder returns the position of a source code in the canonical order,
// or -1 when the code is unknown. Use it to sort sources the way this package does.
func SourceOrder(code string) int {
	i, ok := sourceIndex[code]
	if !ok {
		return -1
	}
	return i
}

// Category is a retrofit category of the Weihai plan.
type Category struct {
	Code   string
	NameZH string
	NameEN string
}

// Category codes, in canonical order.
const (
	CategoryBasic       = "basic"
	CategoryImprovement = "improvement"
	CategoryUpgrade     = "upgrade"
)

var categories = []Category{
	{CategoryBasic, "基础类", "basic (safety and basic living)"},
	{CategoryImprovement, "完善类", "improvement (convenience)"},
	{CategoryUpgrade, "提升类", "upgrade (community services)"},
}

var categoryIndex = func() map[string]int {
	m := make(map[string]int, len(categories))
	for i, c := range categories {
		m[c.Code] = i
	}
	return m
}()

// Categories returns the retrofit categories in canonical order (a copy).
func Categories() []Category {
	return append([]Category(nil), categories...)
}

// LookupCategory returns the category with that code.
func LookupCategory(code string) (Category, bool) {
	i, ok := categoryIndex[code]
	if !ok {
		return Category{}, false
	}
	return categories[i], true
}
