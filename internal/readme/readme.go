// Package readme holds the test that compiles every Go snippet of the repository's
// README.md, so the first code a new user copies builds as shown.
package readme
