package web

import "testing"

// TestBureauMessagesDoNotCollide: the words of the bureau's pages are in
// the catalogue as written, none taking a key another page already uses,
// and each has Chinese and English.
func TestBureauMessagesDoNotCollide(t *testing.T) {
	for name, m := range map[string]map[string][2]string{"bureau": bureauMessages, "trial": trialMessages, "recon": reconMessages,
		"budget": budgetMessages, "plan": planMessages, "bond": bondMessages, "evaluation": evaluationMessages} {
		for k, v := range m {
			if messages[k] != v {
				t.Errorf("%s: key %q is taken: catalogue %q, page %q", name, k, messages[k], v)
			}
			if v[0] == "" || v[1] == "" {
				t.Errorf("%s: key %q lacks a language", name, k)
			}
		}
	}
}
