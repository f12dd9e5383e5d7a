package sandbox

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGuardControl(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	local := &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 8080}
	tests := []struct {
		name    string
		method  string
		host    string
		origin  string
		header  map[string]string
		ct      string
		body    string
		local   net.Addr
		allow   []string
		want    int
		wantErr string
	}{
		{name: "GET from a program", method: "GET", host: "127.0.0.1:8080", want: 204},
		{name: "Origin cross-site", method: "GET", host: "127.0.0.1:8080", origin: "https://evil.example", want: 403, wantErr: "forbidden"},
		{name: "Origin another port", method: "GET", host: "127.0.0.1:8080", origin: "http://127.0.0.1:3000", want: 403, wantErr: "forbidden"},
		{name: "Origin null", method: "GET", host: "127.0.0.1:8080", origin: "null", want: 403, wantErr: "forbidden"},
		{name: "Origin same", method: "GET", host: "127.0.0.1:8080", origin: "http://127.0.0.1:8080", want: 204},
		{name: "Origin same, default port", method: "GET", host: "localhost", origin: "http://localhost:80", want: 204},
		{name: "Sec-Fetch-Site cross-site", method: "GET", host: "127.0.0.1:8080", header: map[string]string{"Sec-Fetch-Site": "cross-site"}, want: 403, wantErr: "forbidden"},
		{name: "Sec-Fetch-Site same-origin", method: "GET", host: "127.0.0.1:8080", header: map[string]string{"Sec-Fetch-Site": "same-origin"}, want: 204},
		{name: "Host evil.example (rebinding)", method: "GET", host: "evil.example:8080", want: 403, wantErr: "forbidden"},
		{name: "Host evil.example, same Origin", method: "GET", host: "evil.example:8080", origin: "http://evil.example:8080", want: 403, wantErr: "forbidden"},
		{name: "Host 127.0.0.1:port", method: "GET", host: "127.0.0.1:54321", want: 204},
		{name: "Host 127.1.2.3", method: "GET", host: "127.1.2.3", want: 204},
		{name: "Host localhost", method: "GET", host: "LocalHost.:8080", want: 204},
		{name: "Host [::1]", method: "GET", host: "[::1]:8080", want: 204},
		{name: "Host = local addr", method: "GET", host: "192.0.2.10:8080", local: local, want: 204},
		{name: "Host = another address", method: "GET", host: "192.0.2.11:8080", local: local, want: 403, wantErr: "forbidden"},
		{name: "allowHosts", method: "GET", host: "sandbox:8080", allow: []string{"Sandbox"}, want: 204},
		{name: "allowHosts given with a port", method: "GET", host: "sandbox", allow: []string{"sandbox:9999"}, want: 204},
		{name: "not in allowHosts", method: "GET", host: "other:8080", allow: []string{"sandbox"}, want: 403, wantErr: "forbidden"},
		{name: "POST text/plain", method: "POST", host: "127.0.0.1:8080", ct: "text/plain", body: `[]`, want: 415, wantErr: "unsupported_media_type"},
		{name: "PUT form", method: "PUT", host: "127.0.0.1:8080", ct: "application/x-www-form-urlencoded", body: `a=b`, want: 415, wantErr: "unsupported_media_type"},
		{name: "PATCH without a content type", method: "PATCH", host: "127.0.0.1:8080", body: `{}`, want: 415, wantErr: "unsupported_media_type"},
		{name: "POST application/json", method: "POST", host: "127.0.0.1:8080", ct: "application/json; charset=utf-8", body: `{}`, want: 204},
		{name: "POST without a body", method: "POST", host: "127.0.0.1:8080", want: 204},
		{name: "DELETE", method: "DELETE", host: "127.0.0.1:8080", want: 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r *http.Request
			if tt.body == "" {
				r = httptest.NewRequest(tt.method, "/_sandbox/x", nil)
			} else {
				r = httptest.NewRequest(tt.method, "/_sandbox/x", strings.NewReader(tt.body))
			}
			r.Host = tt.host
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			for k, v := range tt.header {
				r.Header.Set(k, v)
			}
			if tt.ct != "" {
				r.Header.Set("Content-Type", tt.ct)
			}
			if tt.local != nil {
				r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, tt.local))
			}
			w := httptest.NewRecorder()
			GuardControl(ok, tt.allow...).ServeHTTP(w, r)
			assert.Equal(t, tt.want, w.Code)
			if tt.wantErr != "" {
				var body map[string]string
				require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
				assert.Equal(t, tt.wantErr, body["error"])
				assert.NotEmpty(t, body["message"])
				assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
			}
		})
	}
}

// TestFaultControlRefusesCrossSite: a web page's simple request (text/plain, no
// preflight) or a rebinding name cannot install a rule, so calls keep being served.
func TestFaultControlRefusesCrossSite(t *testing.T) {
	dropAll := `[{"kind":"drop","rate":1}]`
	tests := []struct {
		name  string
		edit  func(r *http.Request)
		allow []string
		want  int
	}{
		{name: "text/plain from a page", edit: func(r *http.Request) {
			r.Header.Set("Content-Type", "text/plain")
		}, want: 415},
		{name: "JSON from another origin", edit: func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Origin", "https://evil.example")
		}, want: 403},
		{name: "JSON through a rebinding name", edit: func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
			r.Host = "rebind.evil.example"
		}, want: 403},
		{name: "JSON to a docker service name", edit: func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
			r.Host = "idvkit-sandbox:8080"
		}, allow: []string{"idvkit-sandbox"}, want: 204},
		{name: "JSON from a program", edit: func(r *http.Request) {
			r.Header.Set("Content-Type", "application/json")
		}, want: 204},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFaults(1, nil)
			f.AllowHosts(tt.allow...)
			srv, _ := faultTarget(t, f)
			req, err := http.NewRequest(http.MethodPut, srv.URL+ControlPath, strings.NewReader(dropAll))
			require.NoError(t, err)
			tt.edit(req)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			res.Body.Close()
			assert.Equal(t, tt.want, res.StatusCode)

			res, err = http.Get(srv.URL + ControlPath)
			require.NoError(t, err)
			var state struct{ Rules []FaultRule }
			require.NoError(t, json.NewDecoder(res.Body).Decode(&state))
			res.Body.Close()
			if tt.want == 204 {
				assert.Len(t, state.Rules, 1)
			} else {
				assert.Empty(t, state.Rules, "a refused request installs nothing")
			}
		})
	}
}
