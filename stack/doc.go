// Package stack is what stackui knows about a compose project: what the
// compose files say (services, profiles, limits, platforms, GPU requests,
// loaded with compose-go exactly as `docker compose` loads them) and what the
// engine says (containers, states, events, logs, stats), joined in one live
// view that the events stream keeps current.
//
// stack never imports the UI; it is driven the same way from a test, from
// `stackui ps` or from the TUI.
package stack
