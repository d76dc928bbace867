# The browser tier (tests/browser): Playwright for Python driving Debian's Chromium, which Playwright
# cannot download here.
#   make chromium      /usr/bin/chromium: apt-get installs it when it is missing and make runs as root
#   make browser       the browser tier alone
#   make screenshots   docs/screenshots/*.png of the catalog page (GET /), and how soon it is interactive
CHROMIUM := /usr/bin/chromium

.PHONY: chromium browser screenshots

chromium: ## /usr/bin/chromium for the browser tier (apt-get installs it when missing, as root)
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else \
	    echo "The browser tests need Debian's Chromium at $(CHROMIUM): run 'sudo apt-get install -y chromium'," \
	      "or make test as root, which installs it." >&2; \
	    exit 1; \
	  fi; \
	fi

# make test runs the browser tier with the others: it needs Chromium first.
test: chromium

browser: $(STAMP) chromium ## tests/browser only (the catalog page in Chromium, Playwright)
	$(BIN)/python -m pytest tests/browser

screenshots: $(STAMP) chromium ## docs/screenshots/*.png of the catalog page, and how soon it is interactive
	PYTHONPATH=layers/catalog:. $(BIN)/python -m tests.browser.screenshots docs/screenshots
