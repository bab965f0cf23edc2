// Command tlsclient calls an arith-node's TCP port over TLS with Go's standard client, unchanged:
// tls.Dial, then jsonrpc.NewClient on the connection. It prints one JSON summary line and exits
// non-zero if any call fails (an mTLS node refuses it when no client certificate is given).
// Usage: tlsclient HOST:PORT CA.pem [CLIENT.pem CLIENT.key]
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/rpc/jsonrpc"
	"os"
	"sync"
	"time"
)

// Args are the operands of Arith.Multiply and Arith.Divide, as in the Go net/rpc example.
type Args struct{ A, B int }

// Quotient is Arith.Divide's result.
type Quotient struct{ Quo, Rem int }

// Summary is printed as one JSON line on stdout.
type Summary struct {
	TLSVersion   string   `json:"tlsVersion"`
	Multiply     int      `json:"multiply"`
	Divide       Quotient `json:"divide"`
	ConcurrentOk int      `json:"concurrentOk"`
	Errors       []string `json:"errors"`
}

func main() {
	if len(os.Args) != 3 && len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: tlsclient HOST:PORT CA.pem [CLIENT.pem CLIENT.key]")
		os.Exit(2)
	}
	caPEM, err := os.ReadFile(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "ca:", err)
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		fmt.Fprintln(os.Stderr, "ca: no certificates in", os.Args[2])
		os.Exit(2)
	}
	cfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	if len(os.Args) == 5 {
		pair, err := tls.LoadX509KeyPair(os.Args[3], os.Args[4])
		if err != nil {
			fmt.Fprintln(os.Stderr, "client certificate:", err)
			os.Exit(2)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	time.AfterFunc(20*time.Second, func() {
		fmt.Fprintln(os.Stderr, "timeout")
		os.Exit(3)
	})

	conn, err := tls.Dial("tcp", os.Args[1], cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		os.Exit(1)
	}
	client := jsonrpc.NewClient(conn)
	defer client.Close()

	s := Summary{Errors: []string{}}
	fail := func(format string, a ...interface{}) { s.Errors = append(s.Errors, fmt.Sprintf(format, a...)) }
	if err := client.Call("Arith.Multiply", &Args{7, 8}, &s.Multiply); err != nil {
		fail("multiply: %v", err)
	} else if s.Multiply != 56 {
		fail("multiply: got %d, want 56", s.Multiply)
	}
	if len(s.Errors) == 0 {
		if err := client.Call("Arith.Divide", &Args{17, 5}, &s.Divide); err != nil {
			fail("divide: %v", err)
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for i := 1; i <= 100; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				var got int
				err := client.Call("Arith.Multiply", &Args{i, 3}, &got)
				mu.Lock()
				defer mu.Unlock()
				if err != nil || got != 3*i {
					fail("concurrent %d: got %d, err %v", i, got, err)
				} else {
					s.ConcurrentOk++
				}
			}(i)
		}
		wg.Wait()
	}
	state := conn.ConnectionState()
	s.TLSVersion = map[uint16]string{tls.VersionTLS12: "TLS 1.2", tls.VersionTLS13: "TLS 1.3"}[state.Version]

	out, _ := json.Marshal(s)
	fmt.Println(string(out))
	if len(s.Errors) > 0 {
		fmt.Fprintln(os.Stderr, s.Errors[0])
		os.Exit(1)
	}
}
