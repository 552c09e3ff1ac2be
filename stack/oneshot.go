package stack

// SnapshotOf joins containers listed once to the project's services, for
// one-shot commands (`stackui ps`) that do not keep a Live running. It
// aggregates exactly as Live does.
func SnapshotOf(p *Project, engine EngineStatus, containers []Container) Snapshot {
	byID := make(map[string]Container, len(containers))
	for _, c := range containers {
		byID[c.ID] = c
	}
	return buildSnapshot(p, engine, byID)
}
