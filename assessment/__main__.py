"""`python -m assessment`: the same commands as `wmm`."""

from assessment.cli import main

if __name__ == "__main__":
    main()
