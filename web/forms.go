package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/amount"
	"fundledger/funding"
	"fundledger/ledger"
)

// Browser forms, declared once: a form is a struct whose tags name each
// input, its label (a message key), its kind and whether it is required:
//
//	FinalCost decimal.Decimal `form:"final_cost" label:"gs.final_cost" kind:"amount" required:"true"`
//
// formFieldsOf renders the inputs from the tags, decodeForm fills the
// struct from the posted values; a refusal names the field and its label
// (formError), shown in the reader's language next to the input.
//
// Kinds (inferred from the Go type when absent): text and select (string,
// select with options:"<provider>"), checkbox (bool), number (int),
// numbers ([]int, comma-separated), amount (decimal.Decimal, positive with
// at most two decimals), decimal (decimal.Decimal, any number), date
// (time.Time), file (rendered only; read by the step itself). default:"today"
// fills a date input with today's date. A slice of form structs with
// rows:"N" is N optional rows of its inputs, named <name>.<row>.<input>:
// a row left empty is skipped, a row begun is decoded (its required
// inputs then required).

// formError is an input refused before any funding call: the field, its
// label (message key), the message key (whose one argument is the label)
// and, for a field of a row (rows:"N"), the row (from 1).
type formError struct {
	Field, Label, Key string
	Row               int
}

func (e *formError) Error() string { return e.Field + ": " + e.message(langEn) }

// message is the refusal in the language (with the label where the
// message has a place for it).
func (e *formError) message(lang string) string {
	m := msg(lang, e.Key)
	if strings.Contains(messages[e.Key][0], "%s") {
		m = text(lang, e.Key, msg(lang, e.Label))
	}
	if e.Row > 0 {
		m = text(lang, "form.row", e.Row) + "：" + m
	}
	return m
}

// formTag is one field of a form struct, read from its tags.
type formTag struct {
	index           int
	name, label     string
	kind, options   string
	required, today bool
	rows            int    // a slice of rows: how many the form shows
	of              string // of:"application|facility": what the value names (checked by the step)
	typ             reflect.Type
}

var (
	decimalType = reflect.TypeFor[decimal.Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
	intsType    = reflect.TypeFor[[]int]()
)

// formTags reads the tags of a form struct (fields without form:"…" are
// not inputs).
func formTags(t reflect.Type) []formTag {
	var out []formTag
	for i := range t.NumField() {
		sf := t.Field(i)
		name := sf.Tag.Get("form")
		if name == "" {
			continue
		}
		ft := formTag{index: i, name: name, label: sf.Tag.Get("label"), kind: sf.Tag.Get("kind"), options: sf.Tag.Get("options"),
			required: sf.Tag.Get("required") == "true", today: sf.Tag.Get("default") == "today", of: sf.Tag.Get("of"), typ: sf.Type}
		if n, err := strconv.Atoi(sf.Tag.Get("rows")); err == nil && sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct {
			ft.kind, ft.rows = "rows", min(max(n, 1), maxFormRows)
		}
		if ft.kind == "" {
			switch {
			case ft.options != "":
				ft.kind = "select"
			case sf.Type == decimalType:
				ft.kind = "amount"
			case sf.Type == timeType:
				ft.kind = "date"
			case sf.Type == intsType:
				ft.kind = "numbers"
			case sf.Type.Kind() == reflect.Bool:
				ft.kind = "checkbox"
			case sf.Type.Kind() == reflect.Int:
				ft.kind = "number"
			default:
				ft.kind = "text"
			}
		}
		out = append(out, ft)
	}
	return out
}

// formFieldsOf is the inputs of the form F, in declaration order; a
// select's options are filled by options(provider name).
func formFieldsOf[F any](options func(provider string) ([]stepOption, error)) ([]stepField, error) {
	return formFields(reflect.TypeFor[F](), options)
}

// maxFormRows bounds the rows of a form's list of rows.
const maxFormRows = 50

func formFields(t reflect.Type, options func(provider string) ([]stepOption, error)) ([]stepField, error) {
	var out []stepField
	for _, ft := range formTags(t) {
		if ft.kind == "rows" {
			sub, err := formFields(ft.typ.Elem(), options)
			if err != nil {
				return nil, err
			}
			for row := 1; row <= ft.rows; row++ {
				for _, f := range sub {
					f.Name, f.Group, f.Row = ft.name+"."+strconv.Itoa(row)+"."+f.Name, ft.label, row
					f.Value = ""
					out = append(out, f)
				}
			}
			continue
		}
		f := stepField{Name: ft.name, Label: ft.label, Kind: ft.kind, Required: ft.required}
		if ft.kind == "numbers" {
			f.Kind = "text"
		}
		if ft.today {
			f.Value = today()
		}
		if ft.options != "" {
			var err error
			if f.Options, err = options(ft.options); err != nil {
				return nil, err
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// decodeForm fills dst (a pointer to a form struct) from the values
// (trimmed); the first refusal, in declaration order, is a *formError.
func decodeForm(get func(name string) string, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	for _, ft := range formTags(v.Type()) {
		if ft.kind == "rows" {
			if err := decodeRows(get, ft, v.Field(ft.index)); err != nil {
				return err
			}
			continue
		}
		raw := strings.TrimSpace(get(ft.name))
		refuse := func(key string) error { return &formError{Field: ft.name, Label: ft.label, Key: key} }
		if raw == "" {
			if ft.required && ft.kind != "checkbox" && ft.kind != "file" {
				return refuse("v.required")
			}
			continue
		}
		out := v.Field(ft.index)
		switch {
		case ft.kind == "file":
		case ft.typ == decimalType && ft.kind == "decimal":
			d, err := decimal.NewFromString(raw)
			if err != nil || strings.ContainsAny(raw, "eE") {
				return refuse("v.form.decimal")
			}
			out.Set(reflect.ValueOf(d))
		case ft.typ == decimalType:
			d, err := amount.ParsePositive(raw)
			if err != nil {
				return refuse("v.form.amount")
			}
			out.Set(reflect.ValueOf(d))
		case ft.typ == timeType:
			t, err := ledger.ParseDate(raw)
			if err != nil {
				return refuse("v.form.date")
			}
			out.Set(reflect.ValueOf(t))
		case ft.typ == intsType:
			var ns []int
			for _, x := range strings.FieldsFunc(raw, func(c rune) bool { return c == ',' || c == '，' || c == ' ' }) {
				n, err := strconv.Atoi(x)
				if err != nil {
					return refuse("v.form.numbers")
				}
				ns = append(ns, n)
			}
			out.Set(reflect.ValueOf(ns))
		case ft.typ.Kind() == reflect.Bool:
			out.SetBool(true)
		case ft.typ.Kind() == reflect.Int:
			n, err := strconv.Atoi(raw)
			if err != nil {
				return refuse("v.integer")
			}
			out.SetInt(int64(n))
		default:
			out.SetString(raw)
		}
	}
	return nil
}

// decodeRows decodes the rows begun (any input not empty) into the slice.
func decodeRows(get func(name string) string, ft formTag, out reflect.Value) error {
	sub := formTags(ft.typ.Elem())
	for row := 1; row <= ft.rows; row++ {
		prefix := ft.name + "." + strconv.Itoa(row) + "."
		rowGet := func(name string) string { return get(prefix + name) }
		if !slices.ContainsFunc(sub, func(x formTag) bool { return strings.TrimSpace(rowGet(x.name)) != "" }) {
			continue
		}
		item := reflect.New(ft.typ.Elem())
		if err := decodeForm(rowGet, item.Interface()); err != nil {
			if fe, ok := err.(*formError); ok {
				fe.Field, fe.Row = prefix+fe.Field, row
			}
			return err
		}
		out.Set(reflect.Append(out, item.Elem()))
	}
	return nil
}

// formView is a declared form's inputs as a page shows them (template
// "formfields" of layout.html): each input in a cell of the form's grid,
// its id "<ID>-<name>", the refusal under the input at fault (Field).
type formView struct {
	Lang, ID     string
	Fields       []stepField
	Error, Field string
	ErrorID      string // the refusal's element id; err-<name> when empty
	Upload       bool   // a file may stand for the inputs: none is required
}

// ErrID is the id of the refusal of the input name.
func (v formView) ErrID(name string) string {
	if v.ErrorID != "" {
		return v.ErrorID
	}
	return "err-" + name
}

// decodePosted decodes the request's posted form into dst.
func decodePosted(r *http.Request, dst any) error { return decodeForm(r.PostFormValue, dst) }

// pageForm is a form of a list page (bonds, evaluations) declared by a
// struct (see declaredForm): its inputs and its one funding call.
type pageForm struct {
	name, title string
	keyed       bool   // the form carries the page's idempotency key
	at          string // the input a funding refusal is shown at ("": above the form)
	fields      func(options func(provider string) ([]stepOption, error)) ([]stepField, error)
	run         func(r *http.Request) (done string, err error)
}

// declaredForm is the page form of the struct F: the posted values are
// decoded into an F (a refusal names its input) and handed to run.
func declaredForm[F any](name, title string, run func(r *http.Request, f F) (string, error)) pageForm {
	return pageForm{name: name, title: title, fields: formFieldsOf[F], run: func(r *http.Request) (string, error) {
		var f F
		if err := decodePosted(r, &f); err != nil {
			return "", err
		}
		return run(r, f)
	}}
}

// withKey is the form carrying the page's idempotency key (input "key").
func (pf pageForm) withKey() pageForm {
	pf.keyed = true
	return pf
}

// refusedAt is the form with funding's refusals shown at the input.
func (pf pageForm) refusedAt(input string) pageForm {
	pf.at = input
	return pf
}

// pageOutcome is what a posted page form came to: done, or refused (the
// message in the reader's language, the input at fault, the status).
type pageOutcome struct {
	form        string
	values      url.Values
	done        string
	err         error
	status      int
	text, field string
}

// runPageForm runs a posted page form.
func (s *Server) runPageForm(r *http.Request, pf pageForm) pageOutcome {
	out := pageOutcome{form: pf.name, values: r.PostForm}
	out.done, out.err = pf.run(r)
	if out.err == nil {
		return out
	}
	out.status, out.text = stepMessage(langOf(r), out.err)
	var fe *formError
	if errors.As(out.err, &fe) {
		out.field = fe.Field
	} else {
		out.field = pf.at
	}
	return out
}

// pageFormView is a page form as its page shows it.
type pageFormView struct {
	Name, Title string
	Keyed       bool
	View        formView
}

// preset fills an input left empty (nothing posted to it) with a value.
func (v *pageFormView) preset(name, value string) {
	for i := range v.View.Fields {
		if f := &v.View.Fields[i]; f.Name == name && f.Value == "" {
			f.Value = value
		}
	}
}

// pageForms are the page's forms with their inputs, the values posted to
// the form of the outcome and its refusal, under the input at fault (or
// above the form: Field ""). ids names a form's inputs' prefix and the
// id of its refusal.
func (s *Server) pageForms(r *http.Request, forms []pageForm, out pageOutcome, ids func(name string) (prefix, errID string)) ([]pageFormView, error) {
	var views []pageFormView
	for _, pf := range forms {
		fields, err := pf.fields(s.pageOptions(r))
		if err != nil {
			return nil, err
		}
		prefix, errID := ids(pf.name)
		v := pageFormView{Name: pf.name, Title: pf.title, Keyed: pf.keyed, View: formView{Lang: langOf(r), ID: prefix, Fields: fields, ErrorID: errID}}
		if out.form == pf.name {
			for i := range fields {
				fields[i].Value = strings.TrimSpace(out.values.Get(fields[i].Name))
			}
			v.View.Error = out.text
			if slices.ContainsFunc(fields, func(f stepField) bool { return f.Name == out.field }) {
				v.View.Field = out.field
			}
		}
		views = append(views, v)
	}
	return views, nil
}

// pageOptions are the choices of the page forms' selects.
func (s *Server) pageOptions(r *http.Request) func(provider string) ([]stepOption, error) {
	lang := langOf(r)
	named := func(code, zh, en string) stepOption { return stepOption{code, inLanguage(lang, zh, en)} }
	return func(provider string) ([]stepOption, error) {
		var out []stepOption
		switch provider {
		case "bond_frequencies":
			out = []stepOption{{"annual", msg(lang, "bd.annual")}, {"semi-annual", msg(lang, "bd.semi")}}
		case "bond_repayments":
			out = []stepOption{{"bullet", msg(lang, "bd.bullet")}, {"amortising", msg(lang, "bd.amort")}}
		case "bond_revenue_kinds":
			for _, k := range funding.BondRevenueKinds() {
				out = append(out, named(k.Code, k.NameZH, k.NameEN))
			}
		case "backstops":
			out = []stepOption{{"", msg(lang, "bd.nobackstop")}}
			for _, b := range funding.BackstopSources() {
				out = append(out, named(b.Code, b.NameZH, b.NameEN))
			}
		case "districts":
			ds, err := s.readableDistricts(r)
			if err != nil {
				return nil, err
			}
			for _, d := range ds {
				out = append(out, stepOption{d.Code, districtName(lang, d)})
			}
		default:
			return nil, fmt.Errorf("form: no options %q", provider)
		}
		return out, nil
	}
}

// formMessages are the words of the form grid's refusals.
var formMessages = map[string][2]string{
	"form.row":       {"第 %d 行", "Row %d"},
	"v.form.amount":  {"“%s”：金额应为正数，最多两位小数，如 1234.50。", "%s: want a positive amount with at most two decimals, e.g. 1234.50."},
	"v.form.decimal": {"“%s”：应为数字，如 3.25。", "%s: want a number such as 3.25."},
	"v.form.date":    {"“%s”：日期格式应为 年-月-日，如 2021-03-15。", "%s: want a date as YYYY-MM-DD, e.g. 2021-03-15."},
	"v.form.numbers": {"“%s”：应为以逗号分隔的整数，如 2,2,2。", "%s: want whole numbers separated by commas, e.g. 2,2,2."},
}
