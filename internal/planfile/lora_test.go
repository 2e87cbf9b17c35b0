package planfile

import (
	"math"
	"strings"
	"testing"
)

// A lora packet's size is its PHY payload, or the application's bytes
// (app_payload), to which LoRaWAN adds 13: app_payload: 4 is payload: 17.
// A PHY payload under 13 bytes is most likely the application's: warned of,
// once even when a variant inherits the phase, unless lorawan: false.
func TestLoRaPayloads(t *testing.T) {
	dev := func(lora string) string {
		return "devices:\n  - id: d\n    battery: {cell: er14505}\n    sleep: 1uA\n    events:\n" +
			"      - {name: up, feature: connectivity, every: 15m, phases: [{lora: " + lora + ", current: 40mA}]}\n" +
			"      - {name: up-slow, feature: adaptive, replaces: up, every: 2h}\n"
	}
	toa := func(t *testing.T, lora string) (float64, []string, []string) {
		t.Helper()
		fleet, diags := ParseDevices("devices.yaml", []byte(dev(lora)))
		var errs, warns []string
		for _, d := range diags.Errors() {
			errs = append(errs, d.String())
		}
		for _, d := range diags.Warnings() {
			warns = append(warns, d.String())
		}
		if fleet == nil {
			return 0, errs, warns
		}
		return float64(fleet.Devices[0].Events[0].Phases[0].LoRa.TimeOnAir()), errs, warns
	}
	want, errs, warns := toa(t, "{sf: 9, payload: 17}")
	if len(errs)+len(warns) > 0 || math.Abs(want-0.164864) > 1e-6 { // AN1200.13: 12.25 + 28 symbols of 4.096 ms
		t.Fatalf("payload 17: %v s, %v %v", want, errs, warns)
	}
	if got, errs, warns := toa(t, "{sf: 9, app_payload: 4}"); got != want || len(errs)+len(warns) > 0 {
		t.Errorf("app_payload 4: %v s, want %v; %v %v", got, want, errs, warns)
	}
	_, errs, warns = toa(t, "{sf: 9, payload: 4}")
	if len(errs) > 0 || len(warns) != 1 || !strings.Contains(warns[0], "devices.yaml:6:71: warning: device d, event up, phase 1: payload 4 is the PHY payload, and a LoRaWAN uplink's is at least 13 bytes (headers and MIC): for 4 bytes of application data write app_payload: 4 (a PHY payload of 17)") {
		t.Errorf("payload 4: %v %v", errs, warns)
	}
	if _, errs, warns = toa(t, "{sf: 9, payload: 4, lorawan: false}"); len(errs)+len(warns) > 0 {
		t.Errorf("raw LoRa, payload 4: %v %v", errs, warns)
	}
	for lora, want := range map[string]string{
		"{sf: 9, payload: 17, app_payload: 4}":    "give payload (the PHY payload) or app_payload (the application's bytes; LoRaWAN adds 13), not both",
		"{sf: 9}":                                 "the lora packet needs its size: payload (the PHY payload in bytes) or app_payload",
		"{sf: 9, app_payload: 4, lorawan: false}": "app_payload counts LoRaWAN's headers and MIC on top, and lorawan: false says there are none",
	} {
		if _, errs, _ := toa(t, lora); len(errs) != 1 || !strings.Contains(errs[0], want) {
			t.Errorf("%s: %v, want %q", lora, errs, want)
		}
	}
}
