// keybuzz-client: a stand-in for the Next.js client that answers audit/matrix/client.json.
// The image contract (README): the backend URL is read at run time from
// NEXT_PUBLIC_BACKEND_URL and handed to the browser in the page, never baked into a script.
// The leaky-client variant breaks it the way PH28.1's did: its bundle, a file in the image
// (static/app.js), names DEV's backend, written there at build time.
package main

import (
	"encoding/json"
	"net/http"
	"os"

	"keybuzz-platform/images/internal/serve"
)

func main() {
	backend, _ := json.Marshal(os.Getenv("NEXT_PUBLIC_BACKEND_URL"))
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		http.Redirect(w, r, "/login", http.StatusTemporaryRedirect)
	})
	page := func(title string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			serve.Page(w, title, "<h1>KeyBuzz — "+title+"</h1><form><input name=\"email\"><button>Continue</button></form>"+
				"<script>window.__KEYBUZZ_BACKEND_URL__ = "+string(backend)+";</script>"+
				"<script src=\"/_next/static/chunks/app.js\"></script>")
		}
	}
	mux.HandleFunc("/login", page("Sign in"))
	mux.HandleFunc("/signup", page("Sign up"))
	for _, p := range []string{"/dashboard", "/inbox"} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/login", http.StatusTemporaryRedirect)
		})
	}
	mux.HandleFunc("/_next/static/chunks/app.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		http.ServeFile(w, r, "/static/app.js")
	})
	serve.Run("client", "3000", mux)
}
