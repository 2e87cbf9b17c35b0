// Package initrepo is `iotpm init`: a new planning repo that `iotpm check`
// passes right away.
package initrepo
