package tracer

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"go.uber.org/zap"
)

// kernelPaths are the ways of capturing the running kernel allows, decided
// once, at load, from cilium/ebpf's feature probes; the programs learn them
// through their constants, and the verifier prunes the paths not taken.
type kernelPaths struct {
	// taskRegs: programs may read a task's saved user registers
	// (bpf_task_pt_regs, kernel 5.15), where the exit tracepoints find the
	// syscall's arguments. Without it the entry tracepoints keep them
	// (bpf/syscall_args.h).
	taskRegs bool
	// loop: tracepoint programs may call bpf_loop (kernel 5.17), which the
	// HTTP/2 frame walk needs; without it HTTP/2 connections send
	// prefixes like the others.
	loop bool
}

func probeKernel() kernelPaths {
	return kernelPaths{
		taskRegs: features.HaveProgramHelper(ebpf.TracePoint, asm.FnTaskPtRegs) == nil &&
			features.HaveProgramHelper(ebpf.TracePoint, asm.FnGetCurrentTaskBtf) == nil,
		loop: haveLoop(),
	}
}

// haveLoop tells whether tracepoint programs may call bpf_loop.
func haveLoop() bool {
	return features.HaveProgramHelper(ebpf.TracePoint, asm.FnLoop) == nil
}

// argsPath names where the syscall probes read arguments, for the log.
func (k kernelPaths) argsPath(hook SyscallHook) string {
	switch {
	case hook == HookRaw:
		return "raw_tracepoint_regs"
	case k.taskRegs:
		return "task_pt_regs"
	default:
		return "sys_enter_tracepoints"
	}
}

// log says which ways of capturing run.
func (k kernelPaths) log(logger *zap.Logger, hook SyscallHook, transport Transport) {
	logger.Info("capture paths", zap.String("hook", string(hook)), zap.String("args", k.argsPath(hook)),
		zap.String("transport", string(transport)), zap.Bool("http2_walk", k.loop))
}

// entryHooks keep the hooked syscalls' arguments for their exits on
// kernels without bpf_task_pt_regs. accept needs none: its result is the
// socket.
var entryHooks = []hook{
	{captureProgTpEnterArgs, "syscalls", "sys_enter_read", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_recvfrom", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_readv", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_recvmsg", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_write", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_sendto", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_writev", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_sendmsg", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_sendfile64", false},
	{captureProgTpEnterArgs, "syscalls", "sys_enter_connect", false},
	{captureProgTpEnterListen, "syscalls", "sys_enter_listen", false},
}

// dropLoopCallbacks removes, on kernels without bpf_loop, the callbacks the
// programs would pass it, and the loads of their addresses: a kernel
// before 5.13 refuses a program holding a function pointer even where the
// verifier would prune the code (enable_h2walk is 0 there). The callbacks
// are the programs' only non-inlined functions, each appended after the
// code that uses it, from its symbol to the next.
func dropLoopCallbacks(spec *ebpf.CollectionSpec) {
	for _, prog := range spec.Programs {
		callbacks := map[string]bool{}
		insns := make(asm.Instructions, 0, len(prog.Instructions))
		for _, ins := range prog.Instructions {
			if ins.IsLoadOfFunctionPointer() {
				callbacks[ins.Reference()] = true
				ins = asm.LoadImm(ins.Dst, 0, asm.DWord)
			}
			insns = append(insns, ins)
		}
		if len(callbacks) == 0 {
			continue
		}
		kept := insns[:0]
		skip := false
		for _, ins := range insns {
			if sym := ins.Symbol(); sym != "" {
				skip = callbacks[sym]
			}
			if !skip {
				kept = append(kept, ins)
			}
		}
		prog.Instructions = kept
	}
}
