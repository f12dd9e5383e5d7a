package specgate

import (
	"fmt"
	"os"
)

// RegenerateForTest writes what dir's //go:generate line produces, as `go generate`
// would (the generated-current rule holds the two byte-identical), so tests build
// projects with current gen/ packages without running the go command.
func RegenerateForTest(root, dir string) error {
	c := &checker{root: root}
	g, ok := c.regenerate(dir)
	if !ok {
		return fmt.Errorf("regenerate %s: %v", dir, c.problems)
	}
	return os.WriteFile(c.abs(g.outRel), g.code, 0o644)
}
