package ui

import "charm.land/bubbles/v2/key"

// keyMap holds the bindings as data: keys, help text, and whether each is
// enabled. The footer's help is generated from it.
type keyMap struct {
	Up, Down, Top, Bottom, Quit key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Up:     key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:   key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		Top:    key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom: key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Quit:   key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
	}
}

// ShortHelp is what the footer shows (help.KeyMap).
func (k keyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Quit} }

// FullHelp lists every binding (help.KeyMap).
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Top, k.Bottom}, {k.Quit}}
}
