// Command server is the seed's design: Go's net/rpc Arith service served with net/rpc/jsonrpc over
// TCP, one goroutine per connection. It prints {"port":N} once it accepts connections.
// Usage: server [-addr 127.0.0.1:0]
package main

import (
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
)

// Args are the operands, as in the net/rpc example.
type Args struct{ A, B int }

// Quotient is Divide's result.
type Quotient struct{ Quo, Rem int }

// Arith is the net/rpc example service.
type Arith int

// Multiply sets *reply to A*B.
func (t *Arith) Multiply(args *Args, reply *int) error {
	*reply = args.A * args.B
	return nil
}

// Divide sets the quotient and remainder of A/B.
func (t *Arith) Divide(args *Args, quo *Quotient) error {
	if args.B == 0 {
		return errors.New("divide by zero")
	}
	quo.Quo = args.A / args.B
	quo.Rem = args.A % args.B
	return nil
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	if err := rpc.Register(new(Arith)); err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("{\"port\":%d}\n", ln.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	for {
		conn, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go jsonrpc.ServeConn(conn)
	}
}
