package survey

import "testing"

func TestSurveyKey(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"QR pairing", "qr-pairing"},
		{"QR_Pairing", "qr pairing"},
		{"Delta OTA (firmware)", "delta-ota-firmware"},
	} {
		if surveyKey(c.a) != surveyKey(c.b) {
			t.Errorf("%q and %q should match", c.a, c.b)
		}
	}
	if surveyKey("qr-pairing") == surveyKey("qr-pairings") {
		t.Error("different names match")
	}
}
