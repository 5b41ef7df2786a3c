package netns

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// goLocked runs body on a new goroutine locked to its OS thread, so body may
// move the thread into another network namespace (setns, unshare). When body
// returns, the thread is moved back to the network namespace it started in
// and then discarded: the goroutine exits still locked, so the runtime
// terminates the thread instead of returning it to the pool. The one
// exception is the process's main thread, which the runtime cannot
// terminate; it is unlocked only once it is back in its original namespace.
//
// After that, finish is called (still on the goroutine) with the value of a
// panic in body, or nil. body must not call runtime.UnlockOSThread.
func goLocked(body func(), finish func(panicked any)) {
	go func() {
		var panicked any
		defer func() { finish(panicked) }()
		runtime.LockOSThread()
		orig, origErr := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		defer func() {
			if origErr != nil {
				return // cannot restore: exit locked, the thread dies
			}
			restored := unix.Setns(orig, unix.CLONE_NEWNET) == nil
			unix.Close(orig)
			if restored && unix.Gettid() == unix.Getpid() {
				runtime.UnlockOSThread()
			}
		}()
		defer func() { panicked = recover() }()
		body()
	}()
}

// runLocked runs fn through goLocked and waits until fn has returned and the
// thread has left the namespace. A panic in fn is re-raised in the caller.
func runLocked(fn func() error) error {
	var err error
	done := make(chan any, 1)
	goLocked(func() { err = fn() }, func(p any) { done <- p })
	if p := <-done; p != nil {
		panic(p)
	}
	return err
}
