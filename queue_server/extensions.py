"""Extensions created unbound; create_app binds them to an app."""

from flask_socketio import SocketIO

socketio = SocketIO()
