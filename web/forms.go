package web

import (
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/amount"
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

func init() {
	mergeMessages(map[string][2]string{
		"form.row":       {"第 %d 行", "Row %d"},
		"v.form.amount":  {"“%s”：金额应为正数，最多两位小数，如 1234.50。", "%s: want a positive amount with at most two decimals, e.g. 1234.50."},
		"v.form.decimal": {"“%s”：应为数字，如 3.25。", "%s: want a number such as 3.25."},
		"v.form.date":    {"“%s”：日期格式应为 年-月-日，如 2021-03-15。", "%s: want a date as YYYY-MM-DD, e.g. 2021-03-15."},
		"v.form.numbers": {"“%s”：应为以逗号分隔的整数，如 2,2,2。", "%s: want whole numbers separated by commas, e.g. 2,2,2."},
	})
}
