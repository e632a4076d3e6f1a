// keybuzz-api: a stand-in for the KeyBuzz API that answers what audit/matrix/api.json
// checks. The stale variant is the PH28.1 PROD image: /health answers, most routes 404.
package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"time"

	"keybuzz-platform/images/internal/serve"
)

// Routes of the current API; the stale image predates all but the first three.
var current = []string{"/tenants", "/conversations", "/messages", "/attachments", "/dashboard", "/stats", "/webhooks", "/auth/login", "/auth/signup"}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	routes := current
	if serve.Variant == "stale" {
		routes = current[:1]
	}
	for _, p := range routes {
		mux.HandleFunc(p, unauthorized)
	}
	if serve.Variant != "stale" {
		mux.HandleFunc("/auth/me", unauthorized)
		mux.HandleFunc("/debug/version", version)
		mux.HandleFunc("/debug/database", database)
	}
	mux.HandleFunc("/", http.NotFound)
	serve.Run("api", "3001", mux)
}

// Every business route exists and refuses a caller without a session.
func unauthorized(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"error":"no session"}` + "\n"))
}

func version(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"image":       os.Getenv("KEYBUZZ_IMAGE"),
		"environment": os.Getenv("KEYBUZZ_ENVIRONMENT"),
		"variant":     serve.Variant,
	})
}

// /debug/database dials the host and port of DATABASE_URL (never printing the URL, which
// holds the password): how a test sees from inside a pod whether the database is reachable.
func database(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	u, err := url.Parse(os.Getenv("DATABASE_URL"))
	if err != nil || u.Host == "" {
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "DATABASE_URL is not a URL"})
		return
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	c, err := net.DialTimeout("tcp", net.JoinHostPort(u.Hostname(), port), 3*time.Second)
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]string{"host": u.Hostname(), "error": err.Error()})
		return
	}
	_ = c.Close()
	_ = json.NewEncoder(w).Encode(map[string]string{"host": u.Hostname(), "reachable": "true"})
}
