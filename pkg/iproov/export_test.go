package iproov

// PathTemplates exposes the log path templates to the tests.
func PathTemplates() []string { return append([]string(nil), pathTemplates...) }
