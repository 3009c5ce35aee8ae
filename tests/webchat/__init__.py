"""The web chat widget in a real browser (Chromium, through Playwright)."""
