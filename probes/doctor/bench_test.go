package doctor

import "testing"

// BenchmarkDiagnose runs the rules over the largest recorded evidence (three
// services with their logs and events).
func BenchmarkDiagnose(b *testing.B) {
	ev := loadEvidence(b, "sigkill")
	b.ReportAllocs()
	for b.Loop() {
		if len(Diagnose(ev)) != 2 {
			b.Fatal("want two findings")
		}
	}
}
