// Command failover calls Arith.Multiply with Go's standard net/rpc/jsonrpc client from many
// goroutines over a few shared connections, checking every reply exactly (int64 products beyond
// 2^53 included), until its stdin is closed. It prints "progress CALLS" on stdout after every
// 500 calls, then one JSON summary line {"calls":..,"failed":..,"wrong":..,"errors":[..]}, and
// exits non-zero if any call failed or was wrong. Usage: failover HOST:PORT [GOROUTINES] [CONNS]
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Args are Arith.Multiply's operands, as in the Go net/rpc example.
type Args struct{ A, B int64 }

// Summary is printed as one JSON line at the end.
type Summary struct {
	Calls  int64    `json:"calls"`
	Failed int64    `json:"failed"`
	Wrong  int64    `json:"wrong"`
	Errors []string `json:"errors"`
}

func atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return def
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: failover HOST:PORT [GOROUTINES] [CONNS]")
		os.Exit(2)
	}
	goroutines, conns := 64, 4
	if len(os.Args) > 2 {
		goroutines = atoi(os.Args[2], goroutines)
	}
	if len(os.Args) > 3 {
		conns = atoi(os.Args[3], conns)
	}
	clients := make([]*rpc.Client, conns)
	for i := range clients {
		c, err := jsonrpc.Dial("tcp", os.Args[1])
		if err != nil {
			fmt.Fprintln(os.Stderr, "dial:", err)
			os.Exit(1)
		}
		clients[i] = c
	}
	// A hung gateway must not hang the test.
	time.AfterFunc(120*time.Second, func() {
		fmt.Fprintln(os.Stderr, "timeout")
		os.Exit(3)
	})

	var stop atomic.Bool
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop.Store(true)
	}()

	var calls, failed, wrong atomic.Int64
	var mu sync.Mutex
	s := Summary{Errors: []string{}}
	note := func(format string, a ...interface{}) {
		mu.Lock()
		defer mu.Unlock()
		if len(s.Errors) < 10 {
			s.Errors = append(s.Errors, fmt.Sprintf(format, a...))
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			client := clients[g%conns]
			for i := int64(0); !stop.Load(); i++ {
				// Products up to about 9.2e18: beyond 2^53, within int64.
				a, b := int64(3037000000+g), 3037000000-i%1000
				var reply int64
				err := client.Call("Arith.Multiply", &Args{a, b}, &reply)
				n := calls.Add(1)
				if err != nil {
					failed.Add(1)
					note("call %d×%d: %v", a, b, err)
				} else if reply != a*b {
					wrong.Add(1)
					note("call %d×%d: got %d, want %d", a, b, reply, a*b)
				}
				if n%500 == 0 {
					fmt.Printf("progress %d\n", n)
				}
			}
		}(g)
	}
	wg.Wait()
	s.Calls, s.Failed, s.Wrong = calls.Load(), failed.Load(), wrong.Load()
	out, _ := json.Marshal(s)
	fmt.Println(string(out))
	if s.Failed > 0 || s.Wrong > 0 || s.Calls == 0 {
		os.Exit(1)
	}
}
