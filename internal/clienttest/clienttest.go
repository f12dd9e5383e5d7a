// Package clienttest holds checks every vendor client's tests run the same way.
package clienttest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/idvkit/idvkit/pkg/transport"
)

// ZeroClient calls every exported method of a client type C that New did not build, the
// zero value and a nil pointer, with zero arguments: none may panic, and each that returns
// an error returns a *transport.ValidationError naming the client (transport.ErrValidation).
func ZeroClient[C any](t *testing.T) {
	t.Helper()
	clients := []struct {
		name string
		c    *C
	}{
		{"zero value", new(C)},
		{"nil pointer", nil},
	}
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	typ := reflect.TypeFor[*C]()
	if typ.NumMethod() == 0 {
		t.Fatal("no exported methods found")
	}
	for _, cl := range clients {
		for i := range typ.NumMethod() {
			m := typ.Method(i)
			t.Run(cl.name+"/"+m.Name, func(t *testing.T) {
				args := []reflect.Value{reflect.ValueOf(cl.c)}
				for j := 1; j < m.Type.NumIn(); j++ {
					in := m.Type.In(j)
					if in == ctxType {
						args = append(args, reflect.ValueOf(context.Background()))
						continue
					}
					args = append(args, reflect.Zero(in))
				}
				var out []reflect.Value
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Fatalf("%s panics on a Client not built with New: %v", m.Name, r)
						}
					}()
					out = m.Func.Call(args)
				}()
				last := m.Type.NumOut() - 1
				if last < 0 || m.Type.Out(last) != errType {
					return // String, GoString, LogValue, accessors: not panicking is enough
				}
				err, _ := out[last].Interface().(error)
				var ve *transport.ValidationError
				if !errors.As(err, &ve) || ve.Field != "client" {
					t.Fatalf("%s: got %v, want a *transport.ValidationError on field client", m.Name, err)
				}
				if !errors.Is(err, transport.ErrValidation) {
					t.Fatalf("%s: %v is not transport.ErrValidation", m.Name, err)
				}
			})
		}
	}
}
