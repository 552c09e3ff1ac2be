// Package probes holds stackui's measurements and diagnoses: container and
// host resources, GPU use from nvidia-smi, and the doctor's rules that turn
// evidence into findings with fixes. Probes import stack, never the UI.
package probes
