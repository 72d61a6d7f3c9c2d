from stack8s.cli import app

app()
