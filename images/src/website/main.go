// keybuzz-website: a stand-in for the marketing site that answers audit/matrix/website.json.
package main

import (
	"net/http"

	"keybuzz-platform/images/internal/serve"
)

func main() {
	pages := map[string]string{"/": "KeyBuzz", "/pricing": "Pricing", "/contact": "Contact", "/features": "Features"}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		title, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		serve.Page(w, title, "<h1>"+title+"</h1>")
	})
	serve.Run("website", "3000", mux)
}
