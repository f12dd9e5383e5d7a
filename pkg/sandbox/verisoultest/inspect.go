package verisoultest

import (
	"sort"
	"strconv"

	"github.com/idvkit/idvkit/pkg/sandbox"
)

var _ sandbox.Inspector = (*Emulator)(nil)

// InspectItems bounds the sessions an Inspection lists (the most recently changed
// first): the dashboard shows journeys in flight, not the whole 1:N gallery.
const InspectItems = 200

// Inspect reports the emulator's sessions and recent calls for the sandbox dashboard:
// for each session its product, state, the face it was completed as, the error_message it
// failed with and the account it is enrolled to. No images, document data, addresses or
// API keys.
func (e *Emulator) Inspect() sandbox.Inspection {
	e.mu.RLock()
	all := make([]*session, 0, len(e.sessions))
	for _, s := range e.sessions {
		all = append(all, s)
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].updated.Equal(all[j].updated) {
			return all[i].updated.After(all[j].updated)
		}
		return all[i].id < all[j].id
	})
	if len(all) > InspectItems {
		all = all[:InspectItems]
	}
	items := make([]sandbox.Item, 0, len(all))
	for _, s := range all {
		d := map[string]string{"product": string(s.product), "project_id": s.project.ID}
		for k, v := range map[string]string{"face": s.face, "error_message": s.failure, "account_id": s.accountID, "simulate": s.simulate} {
			if v != "" {
				d[k] = v
			}
		}
		if s.product == IDCheck {
			d["has_document"] = strconv.FormatBool(s.document != nil)
		}
		items = append(items, sandbox.Item{Kind: "session", ID: s.id, State: string(s.state), Detail: d, Updated: s.updated})
	}
	e.mu.RUnlock()
	return sandbox.Inspection{Vendor: "verisoul", Items: items, Calls: e.calls.Calls()}
}
