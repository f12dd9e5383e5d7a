package conform

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Ack is the checked-in file of findings a team knows about and accepts for now:
//
//	acknowledged:
//	  - key: "drift target verisoul-* verifyFace body.new_field"
//	    reason: "Verisoul added new_field in March; spec change in #123"
//	    until: 2027-06-30
//
// A key is a [Finding.Key] where "*" matches any run of characters. An entry past its
// until date (optional, YYYY-MM-DD) matches nothing, so an acknowledgement is revisited.
type Ack struct {
	Acknowledged []AckEntry `yaml:"acknowledged" json:"acknowledged"`
}

// AckEntry acknowledges the findings its key matches.
type AckEntry struct {
	Key    string `yaml:"key" json:"key"`
	Reason string `yaml:"reason" json:"reason"`
	Until  string `yaml:"until,omitempty" json:"until,omitempty"`
}

// maxAckBytes bounds the acknowledgement file: a few hundred entries at most.
const maxAckBytes = 1 << 20

// LoadAck reads an acknowledgement file.
func LoadAck(path string) (*Ack, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("conform: ack file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAckBytes+1))
	if err != nil {
		return nil, fmt.Errorf("conform: ack file: %w", err)
	}
	if len(data) > maxAckBytes {
		return nil, fmt.Errorf("conform: ack file %s is over %d bytes", path, maxAckBytes)
	}
	var a Ack
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&a); err != nil && err != io.EOF {
		return nil, fmt.Errorf("conform: ack file %s: %w", path, err)
	}
	for i, e := range a.Acknowledged {
		if strings.TrimSpace(e.Key) == "" || strings.TrimSpace(e.Reason) == "" {
			return nil, fmt.Errorf("conform: ack file %s: entry %d needs a key and a reason", path, i+1)
		}
		if e.Until != "" {
			if _, err := time.Parse(time.DateOnly, e.Until); err != nil {
				return nil, fmt.Errorf("conform: ack file %s: entry %d: until must be YYYY-MM-DD", path, i+1)
			}
		}
	}
	return &a, nil
}

// Apply marks the findings an entry matches as acknowledged, as of now.
func (a *Ack) Apply(fs []Finding, now time.Time) {
	if a == nil {
		return
	}
	for i := range fs {
		for _, e := range a.Acknowledged {
			if e.Until != "" {
				until, _ := time.Parse(time.DateOnly, e.Until)
				if now.After(until.Add(24 * time.Hour)) {
					continue
				}
			}
			if glob(e.Key, fs[i].Key) {
				fs[i].Acknowledged, fs[i].Reason = true, e.Reason
				break
			}
		}
	}
}

// glob matches s against a pattern where "*" is any run of characters; nothing else is
// special, since locations hold brackets ("body.items[]").
func glob(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}
