// Command client calls an arith-node over TCP with Go's standard net/rpc/jsonrpc client, the
// way the original Go programs did, and prints a JSON summary line. It exits non-zero on any
// mismatch. Usage: client HOST:PORT
package main

import (
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
	Multiply      int      `json:"multiply"`
	Divide        Quotient `json:"divide"`
	DivErr        string   `json:"divErr"`
	Big           int64    `json:"big"`
	ConcurrentOk  int      `json:"concurrentOk"`
	ConcurrentBad int      `json:"concurrentBad"`
	Errors        []string `json:"errors"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: client HOST:PORT")
		os.Exit(2)
	}
	client, err := jsonrpc.Dial("tcp", os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "dial:", err)
		os.Exit(1)
	}
	defer client.Close()
	// A hung node must not hang the test: give up after 20 s.
	time.AfterFunc(20*time.Second, func() {
		fmt.Fprintln(os.Stderr, "timeout")
		os.Exit(3)
	})

	s := Summary{Errors: []string{}}
	fail := func(format string, a ...interface{}) { s.Errors = append(s.Errors, fmt.Sprintf(format, a...)) }

	if err := client.Call("Arith.Multiply", &Args{7, 8}, &s.Multiply); err != nil {
		fail("multiply: %v", err)
	} else if s.Multiply != 56 {
		fail("multiply: got %d, want 56", s.Multiply)
	}

	if err := client.Call("Arith.Divide", &Args{17, 5}, &s.Divide); err != nil {
		fail("divide: %v", err)
	} else if s.Divide != (Quotient{3, 2}) {
		fail("divide: got %+v, want {Quo:3 Rem:2}", s.Divide)
	}

	var q Quotient
	if err := client.Call("Arith.Divide", &Args{17, 0}, &q); err == nil {
		fail("divide by zero: no error, got %+v", q)
	} else {
		s.DivErr = err.Error()
		if s.DivErr != "divide by zero" {
			fail("divide by zero: got error %q", s.DivErr)
		}
	}

	if err := client.Call("Arith.Multiply", &Args{3037000499, 3037000499}, &s.Big); err != nil {
		fail("big: %v", err)
	} else if s.Big != 9223372030926249001 {
		fail("big: got %d, want 9223372030926249001", s.Big)
	}

	// 200 concurrent calls on the same connection; every reply must be its own.
	const n = 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var reply int
			err := client.Call("Arith.Multiply", &Args{i, i + 1}, &reply)
			mu.Lock()
			defer mu.Unlock()
			if err == nil && reply == i*(i+1) {
				s.ConcurrentOk++
				return
			}
			s.ConcurrentBad++
			if len(s.Errors) < 10 {
				fail("concurrent %d: reply %d, err %v", i, reply, err)
			}
		}(i)
	}
	wg.Wait()

	out, _ := json.Marshal(s)
	fmt.Println(string(out))
	if len(s.Errors) > 0 || s.ConcurrentOk != n {
		os.Exit(1)
	}
}
