// Package iproov is idvkit's client for iProov's REST API v2 (the claim API).
package iproov
