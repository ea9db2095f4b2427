package web

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fundledger/requests"
)

// TestOpenAPIDocumentsTheSharedRequestTypes: the bodies the command line
// and the API both decode (package requests) are documented from their Go
// types, so a field added to one appears in /api/openapi.json. Each type's
// JSON fields, read by reflection, are exactly its schema's properties,
// and the operation that takes it refers to that schema.
func TestOpenAPIDocumentsTheSharedRequestTypes(t *testing.T) {
	s := New(nil, nil)
	b, err := json.Marshal(s.api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Required   []string                   `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		t          reflect.Type
		path       string
		want       []string // a representative set, written out by hand
		wantNeeded []string
	}{
		{reflect.TypeFor[requests.Project](), "/api/projects", []string{"code", "completed_on", "floor_area_m2", "parties", "registered_on"}, []string{"completed_on", "floor_area_m2"}},
		{reflect.TypeFor[requests.ElevatorApplication](), "/api/elevator-applications", []string{"households_per_floor", "estimated_cost", "applied_on"}, []string{"applied_on", "estimated_cost"}},
		{reflect.TypeFor[requests.Facility](), "/api/utility-facilities", []string{"kind", "cost", "owned_by_utility", "registered_on"}, []string{"cost", "registered_on"}},
		{reflect.TypeFor[requests.Bond](), "/api/bonds", []string{"issue_date", "coupon_rate_pct", "custom_schedule", "reserve_bank_account"}, []string{"issue_date", "principal"}},
		{reflect.TypeFor[requests.Loan](), "/api/loans", []string{"lender_kind", "lpr_pct", "spread_bp", "custom_schedule", "start"}, []string{"amount", "start", "term_months"}},
	} {
		name := c.t.Name() + "Request"
		schema, ok := doc.Components.Schemas[name]
		if !ok {
			t.Errorf("%s: no schema %s", c.t, name)
			continue
		}
		var fields, documented []string
		for f := range c.t.Fields() {
			fields = append(fields, strings.Split(f.Tag.Get("json"), ",")[0])
		}
		for p := range schema.Properties {
			documented = append(documented, p)
		}
		slices.Sort(fields)
		slices.Sort(documented)
		if !slices.Equal(fields, documented) {
			t.Errorf("%s: fields %v, documented %v", name, fields, documented)
		}
		for _, f := range c.want {
			if _, ok := schema.Properties[f]; !ok {
				t.Errorf("%s: %s not documented", name, f)
			}
		}
		for _, f := range c.wantNeeded {
			if !slices.Contains(schema.Required, f) {
				t.Errorf("%s: %s not required (required: %v)", name, f, schema.Required)
			}
		}
		if op := string(doc.Paths[c.path]["post"]); !strings.Contains(op, `"#/components/schemas/`+name+`"`) {
			t.Errorf("POST %s does not take %s: %s", c.path, name, op)
		}
	}
}
