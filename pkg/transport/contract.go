package transport

// contractConfig holds WithContract's settings (wired once pkg/contract lands).
type contractConfig struct{}

func (cc contractConfig) apply(*Client) error { return nil }
func (cc contractConfig) templates() []string { return nil }

func isContractError(error) bool { return false }
