package energy

import (
	"fmt"
	"math"
)

// LoRa describes one LoRa packet for its time on air (Semtech AN1200.13,
// SX1276 datasheet §4.1.1.7).
type LoRa struct {
	SF             int     // spreading factor, 6–12
	BandwidthHz    float64 // 125e3, 250e3 or 500e3
	CodingRate     int     // 1–4 for 4/5–4/8
	PayloadBytes   int     // PHY payload: for LoRaWAN, 13 B of headers and MIC plus the application payload
	Preamble       int     // programmed preamble symbols; LoRaWAN uses 8
	ExplicitHeader bool
	CRC            bool
	// LowDataRateOptimize, when nil, is on exactly where it is mandatory:
	// symbol time over 16 ms, i.e. SF11 and SF12 at 125 kHz.
	LowDataRateOptimize *bool
}

// LoRaWANUplink returns the usual LoRaWAN uplink settings: explicit header,
// CRC on, preamble 8, coding rate 4/5, low-data-rate optimisation automatic.
func LoRaWANUplink(sf int, bandwidthHz float64, payloadBytes int) LoRa {
	return LoRa{SF: sf, BandwidthHz: bandwidthHz, CodingRate: 1, PayloadBytes: payloadBytes, Preamble: 8, ExplicitHeader: true, CRC: true}
}

// SymbolTime is 2^SF / BW.
func (l LoRa) SymbolTime() Seconds { return Seconds(math.Exp2(float64(l.SF)) / l.BandwidthHz) }

// Validate reports settings the formula is not defined for.
func (l LoRa) Validate() error {
	switch {
	case l.SF < 6 || l.SF > 12:
		return fmt.Errorf("spreading factor %d is outside 6..12", l.SF)
	case l.BandwidthHz <= 0:
		return fmt.Errorf("bandwidth must be positive")
	case l.CodingRate < 1 || l.CodingRate > 4:
		return fmt.Errorf("coding rate index %d is outside 1..4 (4/5..4/8)", l.CodingRate)
	case l.PayloadBytes < 0 || l.PayloadBytes > 255:
		return fmt.Errorf("payload %d bytes is outside 0..255", l.PayloadBytes)
	case l.Preamble < 0 || l.Preamble > 65535:
		return fmt.Errorf("preamble %d is outside 0..65535", l.Preamble)
	}
	return nil
}

// TimeOnAir is the packet's duration on air.
func (l LoRa) TimeOnAir() Seconds {
	tsym := float64(l.SymbolTime())
	de := 0.0
	if l.LowDataRateOptimize != nil {
		if *l.LowDataRateOptimize {
			de = 1
		}
	} else if tsym > 0.016 {
		de = 1
	}
	ih, crc := 1.0, 0.0
	if l.ExplicitHeader {
		ih = 0
	}
	if l.CRC {
		crc = 1
	}
	sf := float64(l.SF)
	num := 8*float64(l.PayloadBytes) - 4*sf + 28 + 16*crc - 20*ih
	den := 4 * (sf - 2*de)
	symbols := 8 + math.Max(math.Ceil(num/den)*float64(l.CodingRate+4), 0)
	preamble := (float64(l.Preamble) + 4.25) * tsym
	return Seconds(preamble + symbols*tsym)
}
