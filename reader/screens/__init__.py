"""The app's screens: the library, the article reader, and the dialogs they open."""
