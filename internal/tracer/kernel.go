package tracer

import (
	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
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
	// atomics: programs may use atomic fetch-and-add (kernel 5.12), which
	// numbers connections from one counter; without it each CPU numbers
	// its own (safe there: those kernels run these programs with
	// preemption off).
	atomics bool
	// dataReady: the kernel has the sock:sk_data_ready tracepoint (6.3),
	// which says when bytes began to wait in a socket (bpf/queue.h).
	dataReady bool
}

func probeKernel() kernelPaths {
	taskRegs := features.HaveProgramHelper(ebpf.TracePoint, asm.FnTaskPtRegs) == nil &&
		features.HaveProgramHelper(ebpf.TracePoint, asm.FnGetCurrentTaskBtf) == nil
	return kernelPaths{
		taskRegs: taskRegs,
		loop:     haveLoop(),
		// cilium/ebpf probes helpers and types, not instructions: a kernel
		// with bpf_task_pt_regs (5.15) has atomic fetch-and-add (5.12).
		atomics:   taskRegs,
		dataReady: haveRawTracepoint("sk_data_ready"),
	}
}

// QueueTimeSupported tells whether the running kernel can measure queue
// time (see Config.QueueTime).
func QueueTimeSupported() bool {
	return haveRawTracepoint("sk_data_ready")
}

// haveRawTracepoint tells whether the kernel has the tracepoint name: its
// BTF then describes the raw tracepoint's arguments as btf_trace_<name>.
func haveRawTracepoint(name string) bool {
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return false
	}
	_, err = spec.AnyTypeByName("btf_trace_" + name)
	return err == nil
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
		zap.String("transport", string(transport)), zap.Bool("http2_walk", k.loop), zap.Bool("atomic_ids", k.atomics), zap.Bool("sk_data_ready", k.dataReady))
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
// programs would pass it: a kernel before 5.13 refuses a program holding a
// function pointer even where the verifier would prune the code
// (enable_h2walk is 0 there).
func dropLoopCallbacks(spec *ebpf.CollectionSpec) {
	for _, prog := range spec.Programs {
		callbacks := map[string]bool{}
		for _, ins := range prog.Instructions {
			if ins.IsLoadOfFunctionPointer() {
				callbacks[ins.Reference()] = true
			}
		}
		dropFunctions(prog, callbacks)
	}
}

// dropAtomicIDs removes, on kernels without atomic fetch-and-add, the
// function that uses it (atomic_ids is 0 there): a kernel before 5.12
// refuses the instruction wherever it is.
func dropAtomicIDs(spec *ebpf.CollectionSpec) {
	for _, prog := range spec.Programs {
		dropFunctions(prog, map[string]bool{"next_id_atomic": true})
	}
}

// dropFunctions removes the functions named from a program, and replaces
// each call of one, or load of its address, with a load of 0 into the
// same register. The programs' only non-inlined functions are appended
// after the code that uses them, each from its symbol to the next.
func dropFunctions(prog *ebpf.ProgramSpec, names map[string]bool) {
	if len(names) == 0 {
		return
	}
	kept := make(asm.Instructions, 0, len(prog.Instructions))
	skip := false
	for _, ins := range prog.Instructions {
		if sym := ins.Symbol(); sym != "" {
			skip = names[sym]
		}
		switch {
		case skip:
			continue
		case ins.IsLoadOfFunctionPointer() && names[ins.Reference()]:
			ins = asm.LoadImm(ins.Dst, 0, asm.DWord)
		case ins.IsFunctionCall() && names[ins.Reference()]:
			ins = asm.Mov.Imm(asm.R0, 0)
		}
		kept = append(kept, ins)
	}
	prog.Instructions = kept
}
