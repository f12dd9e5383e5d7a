package transport

import (
	"errors"
	"net/http"

	"github.com/idvkit/idvkit/pkg/contract"
)

// WithContract holds every attempt against the vendor's specs through
// contract.NewRoundTripper: ModeReport reports problems, ModeEnforce also
// fails violating requests (before they are sent) and responses with a
// *RequestError wrapping a *contract.Error; violations are never retried.
// The specs also give the logs exact path templates and name operations a
// caller did not name with WithOperation, in every mode including ModeOff.
func WithContract(mode contract.Mode, specs ...*contract.Spec) Option {
	return func(c *config) {
		c.contract.mode = mode
		c.contract.specs = append(c.contract.specs, specs...)
	}
}

// WithContractOptions sets the contract round tripper's options (OnProblem,
// Logger, MaxBodyBytes). A nil Logger uses the transport's logger and a zero
// MaxBodyBytes the transport's body cap.
func WithContractOptions(opts contract.RoundTripperOptions) Option {
	return func(c *config) { c.contract.opts = opts }
}

type contractConfig struct {
	mode  contract.Mode
	specs []*contract.Spec
	opts  contract.RoundTripperOptions
}

// apply wraps the client's transport and wires operation lookup.
func (cc contractConfig) apply(c *Client) error {
	for _, s := range cc.specs {
		if s == nil || s.Doc == nil {
			return errors.New("transport: WithContract got a nil spec")
		}
	}
	switch cc.mode {
	case contract.ModeOff, contract.ModeReport, contract.ModeEnforce:
	default:
		return errors.New("transport: unknown contract mode " + cc.mode.String())
	}
	if len(cc.specs) == 0 {
		if cc.mode != contract.ModeOff {
			return errors.New("transport: contract mode " + cc.mode.String() + " needs at least one spec")
		}
		return nil
	}
	specs := cc.specs
	c.findOp = func(r *http.Request) string {
		for _, s := range specs {
			if op, ok := s.FindOperation(r); ok {
				return op
			}
		}
		return ""
	}
	if cc.mode == contract.ModeOff {
		return nil
	}
	opts := cc.opts
	if opts.Logger == nil {
		opts.Logger = c.log
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = c.maxBody
	}
	hc := *c.hc // a copy: the caller's client keeps its own transport
	hc.Transport = contract.NewRoundTripper(c.hc.Transport, cc.mode, opts, specs...)
	c.hc = &hc
	return nil
}

// templates lists the path templates of every spec, for logs.
func (cc contractConfig) templates() []string {
	var out []string
	for _, s := range cc.specs {
		if s == nil || s.Doc == nil || s.Doc.Paths == nil {
			continue
		}
		for p := range s.Doc.Paths.Map() {
			out = append(out, p)
		}
	}
	return out
}

func isContractError(err error) bool {
	var ce *contract.Error
	return errors.As(err, &ce)
}
