"""Custom Rasa input/output channels (web chat, WhatsApp, Telegram), registered in credentials.yml."""
