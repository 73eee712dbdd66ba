package tracer

//go:generate go tool -modfile=../../tools/go.mod bpf2go -cc clang-16 -cflags "-O2 -g -Wall -Werror" -target amd64,arm64 classifier ../../bpf/classifier.c

import (
	"fmt"

	"github.com/cilium/ebpf"
)

const (
	// ethHeader is the Ethernet header BPF_PROG_TEST_RUN requires before
	// the bytes; the program skips it.
	ethHeader = 14
	// classifyInput bounds the bytes given to the program, which must fit
	// a page: the classifier reads the first 16 and compares the length
	// with bounds far below this.
	classifyInput = 1024
)

// Classifier runs the capture's protocol classifier (bpf/classify.h), all
// protocols enabled, on bytes given to it: the same code that decides in
// the kernel which connections are sent, and as what. It is for holding
// recorded openings of real programs against the decoders.
type Classifier struct {
	objs classifierObjects
	in   []byte
}

// NewClassifier loads the classifier; it needs what loading any program
// needs (CAP_BPF, or root).
func NewClassifier() (*Classifier, error) {
	c := &Classifier{}
	if err := loadClassifierObjects(&c.objs, nil); err != nil {
		return nil, fmt.Errorf("load the classifier: %w", verifierDetail(err))
	}
	return c, nil
}

// Classify returns the protocol (ProtoHTTP1 and so on) whose message the
// kernel takes b to open, ProtoUnknown for none.
func (c *Classifier) Classify(b []byte) (uint8, error) {
	c.in = append(append(c.in[:0], make([]byte, ethHeader)...), b[:min(len(b), classifyInput)]...)
	ret, err := c.objs.ClassifyBytes.Run(&ebpf.RunOptions{Data: c.in})
	if err != nil {
		return ProtoUnknown, fmt.Errorf("run the classifier: %w", err)
	}
	return uint8(ret), nil
}

// Close unloads the classifier.
func (c *Classifier) Close() error { return c.objs.Close() }
