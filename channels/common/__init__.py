"""What the channels share (web chat, Telegram, WhatsApp, e-mail, SMS)."""
