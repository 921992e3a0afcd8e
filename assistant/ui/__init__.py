"""Web front doors (Gradio under FastAPI)."""
