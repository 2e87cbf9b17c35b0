package metrics

import (
	"math"
	"testing"
)

func TestReportValue(t *testing.T) {
	tests := []struct {
		name string
		r    Report
		m    Metric
		want float64
		why  NoValue
	}{
		{"uptime not given", Report{}, ConnectivityUptime, 0, NotGiven},
		{"uptime nothing observed", Report{Uptime: &Uptime{Value: math.NaN()}}, ConnectivityUptime, 0, NoDataInWindow},
		{"uptime", Report{Uptime: &Uptime{Value: 0.75, ConnectedUS: 3, ObservedUS: 4}}, ConnectivityUptime, 0.75, HasValue},
		{"mad not given", Report{}, MonthlyActiveDevices, 0, NotGiven},
		{"mad no data is not zero", Report{MAD: &MAD{NoData: true}}, MonthlyActiveDevices, 0, NoDataInWindow},
		{"mad zero with data", Report{MAD: &MAD{Value: 0}}, MonthlyActiveDevices, 0, HasValue},
		{"mad", Report{MAD: &MAD{Value: 42}}, MonthlyActiveDevices, 42, HasValue},
		{"activation none shipped", Report{Activation: &Activation{Cohort: Cohort{Rate: math.NaN()}}}, ActivationRate, 0, NoneShipped},
		{"activation", Report{Activation: &Activation{Cohort: Cohort{Shipped: 4, Activated: 3, Rate: 0.75}}}, ActivationRate, 0.75, HasValue},
		{"ota no executions", Report{OTA: &OTA{OTAJob: OTAJob{Rate: math.NaN()}}}, OTASuccessRate, 0, NoDataInWindow},
		{"ota only pending", Report{OTA: &OTA{OTAJob: OTAJob{Pending: 2, Excluded: 1, Rate: math.NaN()}}}, OTASuccessRate, 0, NoneFinished},
		{"ota", Report{OTA: &OTA{OTAJob: OTAJob{Success: 9, Failure: 1, Pending: 5, Rate: 0.9}}}, OTASuccessRate, 0.9, HasValue},
		{"unknown metric", Report{Uptime: &Uptime{Value: 1}}, Metric("uptime"), 0, NotGiven},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, why := tt.r.Value(tt.m)
			if v != tt.want || why != tt.why {
				t.Errorf("Value(%s) = %v, %v; want %v, %v", tt.m, v, why, tt.want, tt.why)
			}
		})
	}
}
