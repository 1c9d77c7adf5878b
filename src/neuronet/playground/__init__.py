"""The playground: a local web page that trains neuronet networks live (`neuronet playground`).

The server (server.py, standard library only) keeps one session per browser tab
(sessions.py): a network trained on 2-D data (network.py) or one of the classic models
(perceptron.py, hopfield.py, som.py), and streams its state to the page as server-sent events.
The page itself is hand-written HTML/CSS/JS in static/, shipped as package data.
"""
