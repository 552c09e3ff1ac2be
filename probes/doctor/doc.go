// Package doctor says why a container died, never became healthy, or was
// never created, from evidence: the containers' inspect state, their last
// log lines, past engine events, the image's platform against the engine's,
// the engine's runtimes and memory, the compose model, and the output of a
// failed compose call. Each cause is a Finding with a stable kind and id, its
// evidence lines, and the Fixes that apply, each previewed as a diff before
// it is applied through stack/edit and the compose CLI.
//
// Gathering is a set of named checks run in parallel with an injected
// logger, shaped like tailscale's doctor; Diagnose is a pure function of the
// Evidence, so its rules are tested over recorded evidence.
package doctor
