// Package serve is what the three KeyBuzz stand-in services share: the listen address, a
// build variant stamped at link time, request logging to stdout (so `kubectl logs` shows
// traffic) and a clean exit on SIGTERM (so a rollout does not wait for the grace period).
package serve

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Variant is set with -ldflags "-X keybuzz-platform/images/internal/serve.Variant=…" by
// images/build.ts: good, stale, leaky-client or crash.
var Variant = "good"

// Run serves h on $PORT (default port) until SIGTERM. The crash variant exits at once with
// a line on stderr, the last line `pulumi up` must quote when the rollout fails.
func Run(service string, defaultPort string, h http.Handler) {
	log.SetFlags(0)
	log.SetOutput(os.Stdout)
	if Variant == "crash" {
		fmt.Fprintf(os.Stderr, "keybuzz-%s: crash variant: exiting at start (exit code 3)\n", service)
		os.Exit(3)
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = defaultPort
	}
	srv := &http.Server{
		Addr:              ":" + port,
		Handler:           logged(h),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
		<-stop
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	log.Printf("keybuzz-%s %s listening on :%s (image %s)", service, Variant, port, os.Getenv("KEYBUZZ_IMAGE"))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(os.Stderr, "keybuzz-%s: %v\n", service, err)
		os.Exit(1)
	}
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, req)
		// Probes every few seconds would drown the log: they are counted, not printed.
		if strings.HasPrefix(req.Header.Get("User-Agent"), "kube-probe/") {
			return
		}
		log.Printf("%s %s %d", req.Method, req.URL.Path, rec.status)
	})
}

// Page writes a small HTML page.
func Page(w http.ResponseWriter, title, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title></head><body>%s</body></html>\n", title, body)
}
