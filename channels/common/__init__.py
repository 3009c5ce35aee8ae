"""What the web chat, Telegram and WhatsApp channels share."""
